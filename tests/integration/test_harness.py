"""The harness itself: moto starts and stops, buckets round-trip, and the signature-checking moto
really refuses a wrong secret (without that, the auth tests would prove nothing)."""

import unittest

import botocore.exceptions

import wc_harness as h


class Harness(h.ConsumerTestCase):
    def test_shared_moto_round_trips_request_bytes(self):
        s3 = h.s3_client(h.shared_moto().endpoint)
        bucket = h.create_bucket(s3, "wc-harness")
        requests = {"0002": b'{"b":1}', "0001": b"", "0003": b"\xff\x00not json"}
        h.upload_requests(s3, bucket, requests)
        self.assertEqual(h.bucket_keys(s3, bucket), ["0001", "0002", "0003"])
        self.assertEqual({k: o.body for k, o in h.read_bucket(s3, bucket).items()}, requests)

    def test_signature_checking_moto_refuses_a_wrong_secret_and_accepts_the_right_one(self):
        moto = h.MotoServer(auth_after=h.IAM_SETUP_CALLS).start()
        self.addCleanup(moto.stop)
        key_id, secret = h.iam_user_with_key(moto.endpoint)
        good = h.s3_client(moto.endpoint, key_id, secret)
        bucket = h.create_bucket(good, "wc-harness-auth")
        bad = h.s3_client(moto.endpoint, key_id, secret[:-1] + ("A" if secret[-1] != "A" else "B"))
        with self.assertRaises(botocore.exceptions.ClientError) as refused:
            bad.list_objects_v2(Bucket=bucket)
        self.assertEqual(refused.exception.response["Error"]["Code"], "SignatureDoesNotMatch")
        self.assertEqual(good.list_objects_v2(Bucket=bucket)["KeyCount"], 0)

    def test_moto_stops(self):
        moto = h.MotoServer().start()
        process = moto.process
        moto.stop()
        self.assertIsNotNone(process.poll(), "moto still running after stop()")

    def test_conformance_sets_load_with_their_expectations(self):
        for name, count in (("hw6-official", 35), ("producer-2021", 222)):
            data = h.load_conformance(name)
            self.assertEqual(len(data.requests), count, name)
            self.assertTrue(set(data.rejected) <= set(data.requests), name)
            self.assertEqual(list(data.requests), sorted(data.requests), name)
        self.assertEqual(h.load_conformance("hw6-official").requests["1612306374392"], b"",
                         "the empty-body request must load as empty bytes")


if __name__ == "__main__":
    unittest.main()

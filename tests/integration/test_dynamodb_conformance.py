"""Conformance over DynamoDB: the real request sets, from a request bucket, end in a DynamoDB
table exactly as SPEC.md's DynamoDB store (shared/conformance/*.expected.json, part
`dynamodb`), with rejections dead-lettered and warnings logged. Against moto and DynamoDB
Local alike."""

import json
import unittest

import dynamodb_harness as dh
import wc_harness as h


def expected_dynamodb(name: str) -> tuple[dict[str, dict[str, str]], list[str], int]:
    """The `dynamodb` part of <name>.expected.json: items by id, rejected keys, warnings."""
    path = h.conformance_dir() / f"{name}.expected.json"
    expected = json.loads(path.read_text())["dynamodb"]
    return expected["widgets"], list(expected["rejected"]), int(expected["warnings"])


class ConformanceCases:
    server = ""

    def check_set(self, name: str) -> None:
        self.at_each_concurrency(self.check_set_at, name)

    def check_set_at(self, name: str, concurrency: str) -> None:
        data = h.load_conformance(name)  # says plainly when the data is absent
        items, rejected, warnings = expected_dynamodb(name)
        s3_endpoint = h.shared_moto().endpoint
        endpoint = dh.SERVERS[self.server]()
        s3 = h.s3_client(s3_endpoint)
        dynamodb = dh.dynamodb_client(endpoint)
        requests = h.create_bucket(s3, "wc-req")
        table = dh.create_table(dynamodb)
        h.upload_requests(s3, requests, data.requests)
        work = self.workdir()

        result = h.run_consumer(dh.consumer_args(requests, table, work)
                                + ["--concurrency", concurrency], work,
                                dh.consumer_env(work, s3_endpoint, endpoint))

        self.assert_exit(result, 0)
        self.assert_widgets_equal(dh.read_table(dynamodb, table), items, f"table {table}")
        self.assertEqual(h.bucket_keys(s3, requests), [], "the request bucket should end empty")
        self.assert_dead_letters(work.dead_letters, rejected, data.requests)
        self.assert_warning_count(work.logs, warnings)
        self.assert_summary(work.logs, len(data.requests))
        self.assert_secret_absent(h.TEST_SECRET, result.stdout, result.stderr, log_dir=work.logs)

    def test_hw6_official_set_ends_in_the_expected_table(self):
        self.check_set("hw6-official")

    def test_producer_2021_set_ends_in_the_expected_table(self):
        self.check_set("producer-2021")


class ConformanceOnMoto(ConformanceCases, h.ConsumerTestCase):
    server = "moto"


class ConformanceOnDynamoDbLocal(ConformanceCases, h.ConsumerTestCase):
    server = "dynamodb-local"


if __name__ == "__main__":
    unittest.main()

"""The DynamoDB store's own rules (SPEC.md §4, §5), against moto and DynamoDB Local alike:
attribute names DynamoDB's expression grammar cannot take as they are, the "" and null update
rules, updates and deletes of missing widgets, colliding names, the 400 KB item limit, and a
table that is missing or keyed otherwise."""

import json
import re
import unittest

import dynamodb_harness as dh
import wc_harness as h

MAX_ITEM_BYTES = 400 * 1024
DOES_NOT_EXIST = re.compile(r"does not exist|doesn't exist|not found|non-existent|"
                            r"ResourceNotFoundException", re.I)


def request(kind: str, widget: str, owner: str = "Sue Smith", **fields) -> bytes:
    """A request body; `attributes` is a list of (name, value) pairs, value None for null."""
    body = {"type": kind, "requestId": f"req-{widget}-{kind}", "widgetId": widget, "owner": owner}
    attributes = fields.pop("attributes", None)
    body.update(fields)
    if attributes is not None:
        body["otherAttributes"] = [{"name": n, "value": v} for n, v in attributes]
    return json.dumps(body).encode()


def keyed(*bodies: bytes) -> dict[str, bytes]:
    """Request keys in the producer's form (13-digit milliseconds), in the order given."""
    return {str(1_700_000_000_000 + i): body for i, body in enumerate(bodies)}


class DynamoDbStoreCases:
    server = ""

    def setUp(self):
        self.s3_endpoint = h.shared_moto().endpoint
        self.endpoint = dh.SERVERS[self.server]()
        self.s3 = h.s3_client(self.s3_endpoint)
        self.dynamodb = dh.dynamodb_client(self.endpoint)
        self.requests = h.create_bucket(self.s3, "wc-req")
        self.table = dh.create_table(self.dynamodb)
        self.work = self.workdir()

    def run_requests(self, requests: dict[str, bytes], table: str | None = None,
                     expect_exit: int = 0) -> h.RunResult:
        h.upload_requests(self.s3, self.requests, requests)
        result = h.run_consumer(
            dh.consumer_args(self.requests, table or self.table, self.work), self.work,
            dh.consumer_env(self.work, self.s3_endpoint, self.endpoint), timeout=120)
        self.assert_exit(result, expect_exit)
        return result

    def items(self) -> dict[str, dict]:
        return dh.read_table(self.dynamodb, self.table)

    def dead_letter_reason(self, key: str) -> str:
        record = json.loads((self.work.dead_letters / f"{key}.error.json").read_text())
        return json.dumps(record)

    # ----------------------------------------------------------------------------------------

    def test_reserved_words_and_dashed_names_are_top_level_attributes(self):
        awkward = [("size", "3"), ("size-unit", "cm"), ("name", "N"), ("a.b", "dot"),
                   ("#x", "hash"), (":v", "colon"), ("select", "reserved"), ("with space", "sp"),
                   ("\u00e9t\u00e9", "accent"), ("count", "1")]
        requests = keyed(
            request("create", "w1", attributes=awkward),
            request("update", "w1",
                    attributes=[("size-unit", "mm"), ("name", ""), ("size", None),
                                ("count", "2"), ("new-one", "n")]))
        self.run_requests(requests)
        expected = {"id": "w1", "owner": "Sue Smith", "size": "3", "size-unit": "mm",
                    "a.b": "dot", "#x": "hash", ":v": "colon", "select": "reserved",
                    "with space": "sp", "\u00e9t\u00e9": "accent", "count": "2", "new-one": "n"}
        self.assertEqual(self.items(), {"w1": expected})
        self.assert_warning_count(self.work.logs, 0)

    def test_update_empty_string_removes_null_keeps_and_owner_stays(self):
        requests = keyed(
            request("create", "w2", label="L", description="D",
                    attributes=[("a", "1"), ("b", "2"), ("c", "3")]),
            request("update", "w2", owner="Other Person", label="", description=None,
                    attributes=[("a", ""), ("b", None), ("c", "33"), ("d", "4"), ("d", "5")]),
            # Nothing to change: the widget exists, so no warning and no change.
            request("update", "w2", label=None, attributes=[("c", None)]))
        self.run_requests(requests)
        self.assertEqual(self.items(), {"w2": {"id": "w2", "owner": "Sue Smith",
                                               "description": "D", "b": "2", "c": "33",
                                               "d": "5"}})
        self.assert_warning_count(self.work.logs, 0)

    def test_create_leaves_out_empty_and_null_values_and_replaces_the_whole_item(self):
        requests = keyed(
            request("create", "w3", label="old", attributes=[("gone", "x"), ("kept", "1")]),
            request("create", "w3", owner="New Owner", label="", description=None,
                    attributes=[("kept", "2"), ("empty", ""), ("null", None)]))
        self.run_requests(requests)
        self.assertEqual(self.items(), {"w3": {"id": "w3", "owner": "New Owner", "kept": "2"}})

    def test_update_and_delete_of_missing_widgets_warn_and_change_nothing(self):
        dh.put_item(self.dynamodb, self.table, {"id": "sentinel", "owner": "Sue Smith"})
        requests = keyed(
            request("update", "ghost", label="x", attributes=[("a", "1")]),
            request("update", "ghost", attributes=[("a", None)]),
            request("delete", "ghost"),
            request("create", "w4"),
            request("delete", "w4"),
            request("delete", "w4"))
        self.run_requests(requests)
        self.assertEqual(self.items(), {"sentinel": {"id": "sentinel", "owner": "Sue Smith"}})
        self.assert_warning_count(self.work.logs, 4)
        self.assertEqual(h.bucket_keys(self.s3, self.requests), [])
        self.assertEqual(h.files_under(self.work.dead_letters), {})

    def test_attribute_names_the_item_uses_itself_are_rejected(self):
        requests = keyed(
            request("create", "w5", attributes=[("owner", "x")]),
            request("create", "w6", attributes=[("ok", "1")]),
            request("update", "w6", attributes=[("id", "other")]),
            request("update", "w6", attributes=[("widgetId", "")]),
            request("update", "w6", attributes=[("label", None)]))
        self.run_requests(requests)
        self.assertEqual(self.items(), {"w6": {"id": "w6", "owner": "Sue Smith", "ok": "1"}})
        rejected = [key for i, key in enumerate(requests) if i != 1]
        self.assert_dead_letters(self.work.dead_letters, rejected, requests)
        self.assertIn("collides", self.dead_letter_reason(rejected[0]))

    def test_item_over_400_kb_is_rejected_and_an_update_that_outgrows_it_fails_alone(self):
        requests = keyed(
            request("create", "huge", attributes=[("blob", "x" * (MAX_ITEM_BYTES + 100))]),
            request("create", "big", attributes=[("blob", "y" * 300_000)]),
            request("update", "big", attributes=[("more", "z" * 200_000)]),
            request("update", "big", attributes=[("after", "1")]))
        keys = list(requests)
        self.run_requests(requests)
        items = self.items()
        self.assertEqual(set(items), {"big"})
        self.assertEqual(items["big"]["blob"], "y" * 300_000)
        self.assertNotIn("more", items["big"], "the update over the limit must change nothing")
        self.assertEqual(items["big"]["after"], "1", "later requests must still be applied")
        self.assert_dead_letters(self.work.dead_letters, [keys[0], keys[2]], requests)
        self.assertIn("400 KB", self.dead_letter_reason(keys[0]))
        self.assertRegex(self.dead_letter_reason(keys[2]), r"(?i)item size")

    def test_missing_table_is_fatal_names_it_and_touches_nothing(self):
        missing = h.fresh_name("wc-missing-table")
        requests = keyed(request("create", "w7"))
        tables_before = dh.table_names(self.dynamodb)
        result = self.run_requests(requests, table=missing, expect_exit=1)
        self.assertIn(missing, result.output, "the message does not name the table"
                      + result.describe())
        self.assertRegex(result.output, DOES_NOT_EXIST, result.describe())
        self.assertEqual(h.bucket_keys(self.s3, self.requests), list(requests))
        self.assertEqual(dh.table_names(self.dynamodb), tables_before, "a table was created")
        self.assertEqual(h.files_under(self.work.dead_letters), {})

    def test_table_keyed_otherwise_is_fatal_and_says_what_key_is_needed(self):
        for key, key_type, sort_key in (("widgetId", "S", None), ("id", "N", None),
                                        ("id", "S", "owner")):
            with self.subTest(key=key, key_type=key_type, sort_key=sort_key):
                table = dh.create_table(self.dynamodb, "wc-wrong", key, key_type, sort_key)
                requests = keyed(request("create", "w8"))
                result = self.run_requests(requests, table=table, expect_exit=1)
                self.assertIn(table, result.output, result.describe())
                self.assertIn("'id'", result.output, result.describe())
                self.assertEqual(h.bucket_keys(self.s3, self.requests), list(requests))
                self.assertEqual(dh.read_table(self.dynamodb, table), {})


class DynamoDbStoreOnMoto(DynamoDbStoreCases, h.ConsumerTestCase):
    server = "moto"


class DynamoDbStoreOnDynamoDbLocal(DynamoDbStoreCases, h.ConsumerTestCase):
    server = "dynamodb-local"

    # DynamoDB Local enforces DynamoDB's exact limit; moto refuses items over 405000 bytes.
    def test_item_of_exactly_400_kb_is_stored_and_one_byte_more_is_rejected(self):
        # id (2 + 2) + owner (5 + 9) + "blob" (4) + value.
        fixed = 2 + 2 + 5 + len("Sue Smith") + 4
        requests = keyed(
            request("create", "e1", attributes=[("blob", "x" * (MAX_ITEM_BYTES - fixed))]),
            request("create", "e2", attributes=[("blob", "x" * (MAX_ITEM_BYTES - fixed + 1))]))
        self.run_requests(requests)
        self.assertEqual(set(self.items()), {"e1"})
        self.assert_dead_letters(self.work.dead_letters, [list(requests)[1]], requests)


if __name__ == "__main__":
    unittest.main()

#include "model/request.h"

#include <gtest/gtest.h>

#include <string>

#include "conformance_data.h"
#include "model/bounded_json.h"
#include "text_assertions.h"

namespace wc::model {
namespace {

using test::contains;

/// A valid create with `extra` spliced in before the closing brace (",\"label\":5").
std::string create_with(const std::string& extra) {
  return R"({"type":"create","requestId":"r1","widgetId":"w1","owner":"Mary Matthews")" + extra +
         "}";
}

/// The body with one top-level field replaced (or removed when `value` is empty).
std::string with_field(const std::string& field, const std::string& value) {
  std::string body = "{";
  const std::pair<std::string, std::string> fields[] = {{"type", R"("create")"},
                                                        {"requestId", R"("r1")"},
                                                        {"widgetId", R"("w1")"},
                                                        {"owner", R"("Mary Matthews")"}};
  for (const auto& [name, default_value] : fields) {
    const std::string& chosen = name == field ? value : default_value;
    if (chosen.empty()) continue;
    if (body.size() > 1) body += ",";
    body += "\"" + name + "\":" + chosen;
  }
  return body + "}";
}

std::string reason_for(std::string_view body) {
  auto parsed = parse_request(body);
  if (parsed) return "(accepted)";
  return parsed.error().reason;
}

std::string fixture(const std::string& name) {
  const auto path = test::conformance_dir() / "fixtures" / name;
  EXPECT_TRUE(std::filesystem::exists(path)) << test::missing_message(path);
  return test::read_bytes(path);
}

// --- The fixtures -------------------------------------------------------------------------

TEST(ParseRequest, ReadsEveryFieldOfTheGoodCreateFixture) {
  auto request = parse_request(fixture("good_create_widget_request.json"));
  ASSERT_TRUE(request) << request.error().reason;
  EXPECT_EQ(request->type, RequestType::create);
  EXPECT_EQ(request->request_id, "28144bcf-d2ce-4212-a19e-91e1c4c3821b");
  EXPECT_EQ(request->widget_id, "0d3f9f0b-d5e2-4f5b-840c-167aeda7e339");
  EXPECT_EQ(request->owner, "John Jones");
  EXPECT_EQ(request->label, "ZXYIETZO");
  ASSERT_TRUE(request->description);
  EXPECT_EQ(request->description->size(), 99u);
  ASSERT_EQ(request->other_attributes.size(), 6u);
  EXPECT_EQ(request->other_attributes[0].name, "size");
  EXPECT_EQ(request->other_attributes[0].value, "22");
  EXPECT_EQ(request->other_attributes[5].name, "note");
  EXPECT_EQ(request->other_attributes[5].value, "CREGARL");
}

TEST(ParseRequest, ReadsTheGoodUpdateAndDeleteFixtures) {
  auto update = parse_request(fixture("good_update_widget_request.json"));
  ASSERT_TRUE(update) << update.error().reason;
  EXPECT_EQ(update->type, RequestType::update);
  EXPECT_EQ(update->other_attributes.size(), 6u);

  auto remove = parse_request(fixture("good_delete_widget_request.json"));
  ASSERT_TRUE(remove) << remove.error().reason;
  EXPECT_EQ(remove->type, RequestType::remove);
  EXPECT_EQ(remove->owner, "Henry Hops");
  EXPECT_FALSE(remove->label);
  EXPECT_TRUE(remove->other_attributes.empty());
}

TEST(ParseRequest, RejectsTheMalformedFixturesNamingTheField) {
  EXPECT_EQ(reason_for(fixture("missing_owner.json")), "field 'owner' is missing");
  EXPECT_EQ(reason_for(fixture("missing_request_id.json")), "field 'requestId' is missing");
  EXPECT_EQ(reason_for(fixture("missing_type.json")), "field 'type' is missing");
  EXPECT_EQ(reason_for(fixture("missing_widget_id.json")), "field 'widgetId' is missing");
  EXPECT_TRUE(contains(reason_for(fixture("bad_widget_request_type.json")),
                       R"(field 'type' must be "create", "update" or "delete")"));
  EXPECT_TRUE(
      contains(reason_for(fixture("bad_widget_request_type.json")), R"(got "transmogrify")"));
}

// --- type ---------------------------------------------------------------------------------

TEST(ParseRequest, AcceptsShortAndSchemaTypeNames) {
  const std::pair<const char*, RequestType> cases[] = {
      {R"("create")", RequestType::create},
      {R"("update")", RequestType::update},
      {R"("delete")", RequestType::remove},
      {R"("WidgetCreateRequest")", RequestType::create},
      {R"("WidgetUpdateRequest")", RequestType::update},
      {R"("WidgetDeleteRequest")", RequestType::remove}};
  for (const auto& [type, expected] : cases) {
    auto request = parse_request(with_field("type", type));
    ASSERT_TRUE(request) << type << ": " << request.error().reason;
    EXPECT_EQ(request->type, expected) << type;
  }
}

TEST(ParseRequest, TypeNamesAreCaseSensitive) {
  EXPECT_TRUE(contains(reason_for(with_field("type", R"("Create")")), R"(got "Create")"));
}

TEST(ParseRequest, RejectsANonStringType) {
  EXPECT_EQ(reason_for(with_field("type", "3")), "field 'type' must be a string, got number 3");
}

TEST(ParseRequest, TypeNamesPrintAsTheShortForm) {
  EXPECT_EQ(to_string(RequestType::create), "create");
  EXPECT_EQ(to_string(RequestType::update), "update");
  EXPECT_EQ(to_string(RequestType::remove), "delete");
}

// --- the body as a whole ------------------------------------------------------------------

TEST(ParseRequest, RejectsAnEmptyBody) { EXPECT_EQ(reason_for(""), "request is empty (0 bytes)"); }

TEST(ParseRequest, RejectsABodyOverOneMebibyteGivingBothSizes) {
  const std::string body = create_with("") + std::string(k_max_request_bytes, ' ');
  EXPECT_EQ(reason_for(body.substr(0, k_max_request_bytes + 1)),
            "request is 1048577 bytes, over the 1048576-byte limit");
}

TEST(ParseRequest, AcceptsABodyOfExactlyOneMebibyte) {
  std::string body = create_with("");
  body += std::string(k_max_request_bytes - body.size(), ' ');
  ASSERT_EQ(body.size(), k_max_request_bytes);
  EXPECT_TRUE(parse_request(body));
}

TEST(ParseRequest, RejectsInvalidUtf8GivingTheByteAndOffset) {
  const std::string prefix =
      R"({"type":"create","requestId":"r1","widgetId":"w1","owner":"A","label":")";
  const std::string cases[] = {
      "\xC0\xAF",          // overlong '/'
      "\xE0\x80\xAF",      // overlong
      "\xED\xA0\x80",      // UTF-16 surrogate
      "\xF4\x90\x80\x80",  // above U+10FFFF
      "\x80",              // lone continuation byte
      "\xC3",              // truncated sequence (followed by '"')
      "\xFF",
  };
  for (const std::string& bad : cases) {
    const std::string reason = reason_for(prefix + bad + "\"}");
    EXPECT_TRUE(contains(reason, "request is not valid UTF-8")) << reason;
    EXPECT_TRUE(contains(reason, "at offset " + std::to_string(prefix.size()))) << reason;
  }
  EXPECT_EQ(reason_for(prefix + "\xFF\"}"), "request is not valid UTF-8 (byte 0xFF at offset " +
                                                std::to_string(prefix.size()) + ")");
}

TEST(ParseRequest, AcceptsMultiByteUtf8InFreeText) {
  auto request = parse_request(create_with(R"(,"label":"Größe 🙂 日本")"));
  ASSERT_TRUE(request) << request.error().reason;
  EXPECT_EQ(request->label, "Größe 🙂 日本");
}

TEST(ParseRequest, RejectsTextThatIsNotJsonGivingThePosition) {
  const std::string reason = reason_for(R"({"type": create})");
  EXPECT_TRUE(contains(reason, "request is not valid JSON (")) << reason;
  EXPECT_TRUE(contains(reason, "line 1, column 10")) << reason;
}

TEST(ParseRequest, RejectsTrailingTextAfterTheObject) {
  EXPECT_TRUE(contains(reason_for(create_with("") + " {}"), "request is not valid JSON ("));
}

TEST(ParseRequest, RejectsANulByteAfterAValidObjectNamingItsOffset) {
  const std::string valid = create_with("");
  const std::string body = valid + std::string(1, '\0') + "this is not JSON";
  EXPECT_EQ(reason_for(body), "request has a NUL byte at offset " + std::to_string(valid.size()));
}

TEST(ParseRequest, RejectsANulByteInsideAString) {
  const std::string body = create_with(std::string(R"(,"label":"a)") + '\0' + R"(b")");
  EXPECT_TRUE(contains(reason_for(body), "request has a NUL byte at offset ")) << reason_for(body);
}

TEST(ParseRequest, KeepsTheParserMessageShortForAnUnterminatedHugeString) {
  const std::string reason = reason_for(R"({"type":")" + std::string(500000, 'x'));
  EXPECT_TRUE(contains(reason, "request is not valid JSON ("));
  EXPECT_LT(reason.size(), 300u);
}

TEST(ParseRequest, RejectsJsonThatIsNotAnObject) {
  EXPECT_EQ(reason_for("[1,2]"), "request must be a JSON object, got array [1,2]");
  EXPECT_EQ(reason_for(R"("create")"), R"(request must be a JSON object, got "create")");
  EXPECT_EQ(reason_for("null"), "request must be a JSON object, got null");
}

TEST(ParseRequest, RejectsDeepNestingWithoutExhaustingTheStack) {
  const std::size_t depth = 200000;
  const std::string body =
      create_with(R"(,"extra":)" + std::string(depth, '[') + std::string(depth, ']'));
  EXPECT_EQ(reason_for(body), "request nests arrays and objects deeper than 64 levels");
}

TEST(ParseRequest, AcceptsNestingUpToTheLimitInAnIgnoredField) {
  // The request object itself is one level.
  const std::size_t allowed = k_max_json_depth - 1;
  const auto nested = [](std::size_t levels) {
    return R"(,"extra":)" + std::string(levels, '[') + std::string(levels, ']');
  };
  EXPECT_TRUE(parse_request(create_with(nested(allowed))));
  EXPECT_TRUE(contains(reason_for(create_with(nested(allowed + 1))), "deeper than 64 levels"));
}

TEST(ParseRequest, RejectsARepeatedKeyAsAmbiguous) {
  EXPECT_EQ(reason_for(create_with(R"(,"type":"delete")")),
            R"(request has the key "type" twice in one object)");
  EXPECT_TRUE(contains(
      reason_for(create_with(R"(,"otherAttributes":[{"name":"a","name":"b","value":"v"}])")),
      R"(has the key "name" twice)"));
}

TEST(ParseRequest, AcceptsTheSameKeyInDifferentObjects) {
  auto request = parse_request(
      create_with(R"(,"otherAttributes":[{"name":"a","value":"1"},{"name":"b","value":"2"}])"));
  ASSERT_TRUE(request) << request.error().reason;
  EXPECT_EQ(request->other_attributes.size(), 2u);
}

TEST(ParseRequest, IgnoresUnknownTopLevelFields) {
  auto request = parse_request(create_with(R"(,"priority":7,"meta":{"a":[1,{"b":null}]})"));
  ASSERT_TRUE(request) << request.error().reason;
  EXPECT_EQ(request->widget_id, "w1");
}

TEST(ParseRequest, ReportsTheFirstProblemInFieldOrder) {
  EXPECT_EQ(reason_for(R"({"label":5})"), "field 'type' is missing");
  EXPECT_EQ(reason_for(R"({"type":"create","owner":"J0hn"})"), "field 'requestId' is missing");
}

// --- requestId ----------------------------------------------------------------------------

TEST(ParseRequest, RejectsAnEmptyOrMistypedRequestId) {
  EXPECT_EQ(reason_for(with_field("requestId", R"("")")), "field 'requestId' must not be empty");
  EXPECT_EQ(reason_for(with_field("requestId", "42")),
            "field 'requestId' must be a string, got number 42");
}

// --- widgetId -----------------------------------------------------------------------------

TEST(ParseRequest, AcceptsAWidgetIdOf128PrintableCharacters) {
  const std::string id(k_max_widget_id_length, '~');
  auto request = parse_request(with_field("widgetId", "\"" + id + "\""));
  ASSERT_TRUE(request) << request.error().reason;
  EXPECT_EQ(request->widget_id, id);
}

TEST(ParseRequest, RejectsAWidgetIdOver128Characters) {
  const std::string reason =
      reason_for(with_field("widgetId", "\"" + std::string(129, 'a') + "\""));
  EXPECT_TRUE(contains(reason, "field 'widgetId' must be at most 128 characters, got \"aaa"));
  EXPECT_TRUE(contains(reason, "... (129 bytes)"));
}

TEST(ParseRequest, RejectsAnEmptyOrMistypedWidgetId) {
  EXPECT_EQ(reason_for(with_field("widgetId", R"("")")), "field 'widgetId' must not be empty");
  EXPECT_EQ(reason_for(with_field("widgetId", "null")),
            "field 'widgetId' must be a string, got null");
}

TEST(ParseRequest, RejectsAWidgetIdWithBytesOutsidePrintableAscii) {
  EXPECT_EQ(reason_for(with_field("widgetId", R"("ab\tc")")),
            "field 'widgetId' must contain only printable ASCII (0x20-0x7E), got byte 0x09 at "
            R"(index 2 in "ab\tc")");
  EXPECT_TRUE(contains(reason_for(with_field("widgetId", R"("a\u007f")")), "got byte 0x7F"));
  EXPECT_TRUE(contains(reason_for(with_field("widgetId", R"("é")")), "got byte 0xC3 at index 0"));
}

TEST(ParseRequest, RejectsAWidgetIdThatCouldNameAnotherPath) {
  EXPECT_EQ(reason_for(with_field("widgetId", R"("a/b")")),
            R"(field 'widgetId' must not contain '/' or '\', got "a/b")");
  EXPECT_EQ(reason_for(with_field("widgetId", R"("a\\b")")),
            R"(field 'widgetId' must not contain '/' or '\', got "a\\b")");
  EXPECT_EQ(reason_for(with_field("widgetId", R"(".")")),
            R"(field 'widgetId' must not be "." or "..", got ".")");
  EXPECT_TRUE(contains(reason_for(with_field("widgetId", R"("..")")), "must not be \".\" or"));
}

TEST(ParseRequest, AcceptsDotsAndSpacesInsideAWidgetId) {
  EXPECT_TRUE(parse_request(with_field("widgetId", R"("...")")));
  EXPECT_TRUE(parse_request(with_field("widgetId", R"(".hidden name")")));
}

// --- owner --------------------------------------------------------------------------------

TEST(ParseRequest, RejectsAnOwnerWithOtherThanLettersAndSpaces) {
  EXPECT_EQ(reason_for(with_field("owner", R"("J0hn")")),
            R"(field 'owner' must contain only letters and spaces, got "J0hn")");
  EXPECT_TRUE(contains(reason_for(with_field("owner", R"("Mary-Ann")")), "letters and spaces"));
  EXPECT_TRUE(contains(reason_for(with_field("owner", R"("José")")), "letters and spaces"));
}

TEST(ParseRequest, RejectsAnEmptyOrMistypedOwner) {
  EXPECT_EQ(reason_for(with_field("owner", R"("")")), "field 'owner' must not be empty");
  EXPECT_EQ(reason_for(with_field("owner", R"(["Mary"])")),
            R"(field 'owner' must be a string, got array ["Mary"])");
}

TEST(ParseRequest, BoundsTheOwnerLength) {
  EXPECT_TRUE(
      parse_request(with_field("owner", "\"" + std::string(k_max_owner_length, 'a') + "\"")));
  EXPECT_TRUE(contains(
      reason_for(with_field("owner", "\"" + std::string(k_max_owner_length + 1, 'a') + "\"")),
      "field 'owner' must be at most 128 characters"));
}

TEST(ParseRequest, CutsALongOffendingValueShortInTheReason) {
  const std::string owner = std::string(300, 'a') + "1";
  const std::string reason = reason_for(with_field("owner", "\"" + owner + "\""));
  EXPECT_EQ(reason, R"(field 'owner' must contain only letters and spaces, got ")" +
                        std::string(40, 'a') + R"("... (301 bytes))");
}

// --- label and description ----------------------------------------------------------------

TEST(ParseRequest, ReadsNullAndAbsentLabelAsNoValueButKeepsAnEmptyOne) {
  auto null_label = parse_request(create_with(R"(,"label":null)"));
  ASSERT_TRUE(null_label);
  EXPECT_FALSE(null_label->label);
  auto empty_label = parse_request(create_with(R"(,"label":"")"));
  ASSERT_TRUE(empty_label);
  EXPECT_EQ(empty_label->label, "");  // "" means "remove" in an update: it must survive
}

TEST(ParseRequest, RejectsANonStringLabelOrDescription) {
  EXPECT_EQ(reason_for(create_with(R"(,"label":5)")),
            "field 'label' must be a string or null, got number 5");
  EXPECT_EQ(reason_for(create_with(R"(,"description":{"a":1})")),
            R"(field 'description' must be a string or null, got object {"a":1})");
  EXPECT_EQ(reason_for(create_with(R"(,"description":false)")),
            "field 'description' must be a string or null, got boolean false");
}

// --- otherAttributes ----------------------------------------------------------------------

TEST(ParseRequest, KeepsOtherAttributesInRequestOrderWithNullValues) {
  auto request = parse_request(
      create_with(R"(,"otherAttributes":[{"name":"z","value":"1"},{"name":"a","value":null},)"
                  R"({"name":"m","value":"","extra":true}])"));
  ASSERT_TRUE(request) << request.error().reason;
  ASSERT_EQ(request->other_attributes.size(), 3u);
  EXPECT_EQ(request->other_attributes[0].name, "z");
  EXPECT_EQ(request->other_attributes[1].name, "a");
  EXPECT_FALSE(request->other_attributes[1].value);
  EXPECT_EQ(request->other_attributes[2].value, "");
}

TEST(ParseRequest, ReadsNullOtherAttributesAsNone) {
  auto request = parse_request(create_with(R"(,"otherAttributes":null)"));
  ASSERT_TRUE(request);
  EXPECT_TRUE(request->other_attributes.empty());
}

TEST(ParseRequest, RejectsOtherAttributesThatIsNotAnArray) {
  EXPECT_EQ(
      reason_for(create_with(R"(,"otherAttributes":{"name":"a","value":"b"})")),
      R"(field 'otherAttributes' must be an array or null, got object {"name":"a","value":"b"})");
}

TEST(ParseRequest, RejectsABadAttributeEntryNamingItsIndex) {
  const auto entries = [](const std::string& second) {
    return create_with(R"(,"otherAttributes":[{"name":"a","value":"1"},)" + second + "]");
  };
  EXPECT_EQ(reason_for(entries(R"("size")")),
            R"(field 'otherAttributes[1]' must be an object, got "size")");
  EXPECT_EQ(reason_for(entries(R"({"value":"1"})")), "field 'otherAttributes[1].name' is missing");
  EXPECT_EQ(reason_for(entries(R"({"name":"","value":"1"})")),
            "field 'otherAttributes[1].name' must not be empty");
  EXPECT_EQ(reason_for(entries(R"({"name":7,"value":"1"})")),
            "field 'otherAttributes[1].name' must be a string, got number 7");
  EXPECT_EQ(reason_for(entries(R"({"name":"b"})")), "field 'otherAttributes[1].value' is missing");
  EXPECT_EQ(reason_for(entries(R"({"name":"b","value":2.5})")),
            "field 'otherAttributes[1].value' must be a string or null, got number 2.5");
}

}  // namespace
}  // namespace wc::model

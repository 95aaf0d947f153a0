#pragma once
// ASCII case and blanks, as the wire formats and the AWS settings files need them: the one copy
// for the aws folder. Bytes above 0x7F (UTF-8) are never changed, whatever the locale.

#include <string>
#include <string_view>

namespace wc::aws {

/// `text` without the blanks (space, tab, CR, LF) at either end.
std::string_view trim(std::string_view text);
/// `text` with A-Z lowered.
std::string to_lower(std::string_view text);
/// True when `a` and `b` differ at most in the case of A-Z (header names, schemes).
bool iequals(std::string_view a, std::string_view b);
/// True for "true" in any case, as botocore reads a boolean setting.
bool is_true(std::string_view text);

}  // namespace wc::aws

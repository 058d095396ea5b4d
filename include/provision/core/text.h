#pragma once
// Small text helpers shared by every parser of a remote command's output, of config files and of arguments.
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace prov {

/// The characters trim and rtrim remove unless told otherwise.
inline constexpr std::string_view kBlank = " \t\r\n";

/// The lines of `text`, without their '\n' (and a '\r' before it); no empty last line for a final newline.
std::vector<std::string> split_lines(std::string_view text);

/// The parts of `text` between each `sep`, as Python's str.split(sep): "a..b" gives "a", "", "b"; "" gives "".
std::vector<std::string> split(std::string_view text, char sep);

/// Where expand_user_vars reads a variable: its value, or nullopt when it is not set.
using VarLookup = std::function<std::optional<std::string>(const std::string&)>;

/// os.path.expanduser(os.path.expandvars(text)) as Python does them: $NAME and ${NAME} replaced by the variable's
/// value (the process environment unless `lookup` is given; unset names stay as written), then a leading ~ by HOME.
std::string expand_user_vars(std::string_view text, const VarLookup& lookup = {});

/// `text` without the leading and trailing characters found in `chars`.
std::string trim(std::string_view text, std::string_view chars = kBlank);

/// `text` without the trailing characters found in `chars`.
std::string rtrim(std::string_view text, std::string_view chars = kBlank);

/// ASCII case mapping (bytes outside A-Z / a-z are kept as they are).
std::string lower(std::string_view text);
std::string upper(std::string_view text);

/// A whole integer in `base` (an optional sign, blanks around it allowed, as Python's int() reads it), or nullopt
/// when `text` is not one or does not fit in a long long.
std::optional<long long> parse_int(std::string_view text, int base = 10);

}  // namespace prov

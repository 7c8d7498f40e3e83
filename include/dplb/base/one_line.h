// Text from an input file quoted in a message: control characters escaped (\n, \r, \t, \xHH), so a
// newline in the input cannot start a line of the message that does not name the file.
#pragma once

#include <string>
#include <string_view>

namespace dplb {

std::string one_line(std::string_view s);

}  // namespace dplb

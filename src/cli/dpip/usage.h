// Usage texts, in ip's layout. Printed on stderr with exit status 255, as ip does.
#pragma once

#include <string_view>

#include "cli/dpip/command.h"

namespace dplb::dpip {

// The usage of one object, or of dpip itself for Object::kNone. Ends with a newline.
std::string_view usage_text(Object object);

inline constexpr std::string_view kVersionText = "dpip utility, dplb-0.1.0\n";

}  // namespace dplb::dpip

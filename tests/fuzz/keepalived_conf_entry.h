// The keepalived.conf parser's fuzz entry, shared by the libFuzzer target and the corpus replay in
// the normal build (tests/unit/fuzz).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace dplb::keepalived::fuzz {

// The bytes are /fuzz/keepalived.conf, up to the first line "#=== NAME" (a comment to the parser);
// each such line starts the file /fuzz/NAME, which includes can reach (through the in-memory
// loader). Errors must be clean: EINVAL, every message line naming a /fuzz/ file; warnings one line
// each, naming a /fuzz/ file; the model within its limits, and its ipvsadm rules one line per
// service and real server. Returns "" when all holds, else what broke.
std::string check_keepalived_conf(const uint8_t* data, size_t size);

}  // namespace dplb::keepalived::fuzz

// Helpers shared by the formatters (private to dpip_lib).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "cli/dpip/json_writer.h"
#include "dplb/ctrl/proto.h"

namespace dplb::dpip::fmt {

std::string ip(uint32_t host_order);
std::string mac(const uint8_t (&m)[6]);
std::string hex64(uint64_t v);  // 0x + 16 hex digits

// ip's "N: NAME: <FLAGS> mtu M state S" opening of link and addr show (mode only for link show).
void link_head_text(std::string& out, const proto::LinkRecord& r, bool with_mode);
void link_head_json(JsonWriter& j, const proto::LinkRecord& r, bool with_mode);

// JSON output ends with a newline, like ip's.
inline std::string finish(const JsonWriter& j) { return j.str() + "\n"; }

}  // namespace dplb::dpip::fmt

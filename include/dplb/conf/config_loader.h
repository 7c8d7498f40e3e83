// Loads the daemon's TOML configuration (conf/dplb.toml.sample documents every key) into a Config.
// Every problem becomes one line "FILE:LINE: KEY: PROBLEM" (LINE when known); all problems found are
// reported together, one per line, in file order.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dplb/base/status.h"
#include "dplb/conf/config.h"

namespace dplb::conf {

// Limits of the DPDK build the daemon uses (RTE_MAX_LCORE, RTE_MAX_ETHPORTS, RTE_MEMPOOL_CACHE_MAX_SIZE);
// the DPDK glue static_asserts they match, since this module may not include DPDK headers.
inline constexpr unsigned kMaxLcores = 128;
inline constexpr unsigned kMaxPorts = 32;
inline constexpr unsigned kMaxMbufCache = 512;
inline constexpr unsigned kMaxQueuesPerPort = 64;

// The configuration used when a key (or the whole file) is absent.
Config default_config();

// Reads and checks the file. Relative paths in it ([global] dpip_batch, ipvs_rules) are resolved against
// the file's directory and made absolute. Errors: EINVAL with the messages above, or the errno of a file
// that cannot be read ("FILE: cannot read: No such file or directory").
Result<Config> load_config(const std::string& path);

// As load_config, with the text already read from `path` (used for messages and relative paths only).
// When `keys_not_set` is given it receives every key the loader looked for that the text does not set
// (so a test can prove the sample documents every key).
Result<Config> parse_config(std::string_view text, const std::string& path,
                            std::vector<std::string>* keys_not_set = nullptr);

// "dpdk<N>" with N a decimal ethdev id below kMaxPorts (no leading zeros): the id, else -1.
int port_id_from_name(std::string_view name);

}  // namespace dplb::conf

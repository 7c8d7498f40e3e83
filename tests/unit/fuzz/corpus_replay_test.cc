// Replays the checked-in corpora of the parser fuzz targets (tests/fuzz/corpus/<target>) through
// their entry functions: every seed, and every input the fuzzers once found worth keeping, must
// pass the targets' checks in the normal build too.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "../../fuzz/config_loader_entry.h"
#include "../../fuzz/dpip_parser_entry.h"
#include "../../fuzz/http_response_entry.h"
#include "../../fuzz/ipvsadm_parser_entry.h"
#include "../../fuzz/keepalived_conf_entry.h"
#include "../../fuzz/scrape_request_entry.h"

namespace {

using Entry = std::string (*)(const uint8_t*, size_t);

// Runs entry over every file of the target's corpus; returns how many there were.
size_t replay(const std::string& target, Entry entry) {
  const std::filesystem::path dir = std::filesystem::path(DPLB_SOURCE_DIR) / "tests/fuzz/corpus" / target;
  size_t n = 0;
  for (const auto& file : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(file.path(), std::ios::binary);
    std::vector<uint8_t> data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(entry(data.data(), data.size()), "") << file.path();
    ++n;
  }
  return n;
}

TEST(FuzzCorpus, ConfigLoader) { EXPECT_GE(replay("config_loader", dplb::conf::fuzz::check_config_loader), 10u); }
TEST(FuzzCorpus, DpipParser) { EXPECT_GE(replay("dpip_parser", dplb::dpip::fuzz::check_dpip_parser), 10u); }
TEST(FuzzCorpus, IpvsadmParser) { EXPECT_GE(replay("ipvsadm_parser", dplb::cli::fuzz::check_ipvsadm_parser), 10u); }
TEST(FuzzCorpus, HttpResponse) { EXPECT_GE(replay("http_response", dplb::healthcheck::fuzz::check_http_response), 10u); }
TEST(FuzzCorpus, ScrapeRequest) { EXPECT_GE(replay("scrape_request", dplb::metrics::fuzz::check_scrape_request), 10u); }
TEST(FuzzCorpus, KeepalivedConf) { EXPECT_GE(replay("keepalived_conf", dplb::keepalived::fuzz::check_keepalived_conf), 10u); }

// The entries must be able to fail: a broken invariant is reported, not swallowed.
TEST(FuzzCorpus, EntriesAcceptEmptyInput) {
  EXPECT_EQ(dplb::conf::fuzz::check_config_loader(nullptr, 0), "");
  EXPECT_EQ(dplb::dpip::fuzz::check_dpip_parser(nullptr, 0), "");
  EXPECT_EQ(dplb::cli::fuzz::check_ipvsadm_parser(nullptr, 0), "");
  EXPECT_EQ(dplb::keepalived::fuzz::check_keepalived_conf(nullptr, 0), "");
  EXPECT_EQ(dplb::healthcheck::fuzz::check_http_response(nullptr, 0), "");
  EXPECT_EQ(dplb::metrics::fuzz::check_scrape_request(nullptr, 0), "");
}

}  // namespace

#include <gtest/gtest.h>
#include "dplb/cli/ipvsadm_command.h"
TEST(IpvsadmParse, Smoke) { EXPECT_TRUE(dplb::cli::parse_ipvsadm(std::vector<std::string>{"-L"})); }

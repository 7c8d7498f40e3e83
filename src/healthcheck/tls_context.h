// SSL_GET's TLS client context (OpenSSL). Like keepalived's SSL_GET without ssl certificates, the
// server's certificate is not verified: the check is of the service, not of its identity.
#pragma once

#include <memory>
#include <string>

#include "dplb/base/status.h"

typedef struct ssl_ctx_st SSL_CTX;

namespace dplb::hc {

class TlsContext {
 public:
  static Result<std::unique_ptr<TlsContext>> create();
  ~TlsContext();
  SSL_CTX* get() const { return ctx_; }

 private:
  explicit TlsContext(SSL_CTX* ctx) : ctx_(ctx) {}
  SSL_CTX* ctx_;
};

// The lower-case hex MD5 of `data` (HTTP_GET's digest, as keepalived's genhash prints it).
std::string md5_hex(std::string_view data);

}  // namespace dplb::hc

#include "healthcheck/http_probe.h"

#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "dplb/healthcheck/http_response.h"
#include "healthcheck/tcp_connect.h"
#include "healthcheck/tls_context.h"

namespace dplb::hc {
namespace {

using healthcheck::HttpState;

class HttpProbe : public Probe {
 public:
  HttpProbe(const ProbeEnv& env, const keepalived::Checker& c, ProbeDone done)
      : loop_(env.loop), tls_(env.tls), checker_(c), done_(std::move(done)) {
    if (c.kind == keepalived::CheckerKind::ssl && !tls_) {
      timer_ = loop_.after(Clock::duration::zero(), [this] { finish({false, "SSL_GET unsupported: no TLS"}); });
      return;
    }
    // From the loop: done must not run before the caller holds this probe.
    timer_ = loop_.after(Clock::duration::zero(), [this] {
      timer_ = 0;
      next_url();
    });
  }
  ~HttpProbe() override { release(); }

 private:
  enum class Io { done, again, failed };

  void release() {
    connect_.reset();
    loop_.cancel(timer_);
    timer_ = 0;
    if (ssl_) {
      SSL_free(ssl_);
      ssl_ = nullptr;
    }
    if (fd_ >= 0) {
      loop_.unwatch(fd_);
      ::close(fd_);
      fd_ = -1;
    }
  }

  void finish(ProbeResult r) {
    release();
    ProbeDone done = std::move(done_);
    if (done) done(std::move(r));
  }

  const keepalived::Url& url() const { return checker_.urls[url_index_]; }

  std::string fail_text(const std::string& why) const { return "GET " + url().path + ": " + why; }

  void next_url() {
    if (url_index_ >= checker_.urls.size()) return finish({true, {}});
    const std::string& vhost = !url().virtualhost.empty() ? url().virtualhost : checker_.virtualhost;
    host_ = vhost.empty() ? to_string(checker_.connect.ip) : vhost;
    const uint16_t default_port = checker_.kind == keepalived::CheckerKind::ssl ? 443 : 80;
    request_ = healthcheck::http_request(
        url().path, checker_.connect.port == default_port ? host_ : host_ + ":" + std::to_string(checker_.connect.port));
    sent_ = 0;
    received_.clear();
    handshaken_ = checker_.kind != keepalived::CheckerKind::ssl;
    // connect_timeout bounds the whole exchange of one url (the connect's own deadline is the same).
    timer_ = loop_.after(checker_.connect_timeout, [this] { finish({false, fail_text("timed out")}); });
    connect_ = std::make_unique<TcpConnect>(loop_, checker_, [this](int fd, std::string why) {
      loop_.retire(std::shared_ptr<TcpConnect>(std::move(connect_)));
      if (fd < 0) return finish({false, why});
      fd_ = fd;
      if (!handshaken_) {
        ssl_ = SSL_new(tls_->get());
        if (!ssl_ || SSL_set_fd(ssl_, fd_) != 1) return finish({false, "SSL_new failed"});
        if (!host_.empty()) SSL_set_tlsext_host_name(ssl_, host_.c_str());
      }
      step();
    });
  }

  // Runs the exchange as far as the socket allows, then waits for the direction it needs.
  void step() {
    short want = POLLOUT;
    if (!handshaken_) {
      const int r = SSL_connect(ssl_);
      if (r == 1) {
        handshaken_ = true;
      } else {
        const int e = SSL_get_error(ssl_, r);
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
          return wait(e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT);
        return finish({false, fail_text("TLS handshake failed")});
      }
    }
    while (sent_ < request_.size()) {
      Io io = write_some(want);
      if (io == Io::failed) return finish({false, fail_text("send failed")});
      if (io == Io::again) return wait(want);
    }
    for (;;) {
      bool eof = false;
      Io io = read_some(want, eof);
      if (io == Io::failed) return finish({false, fail_text("receive failed")});
      auto answer = healthcheck::parse_http_response(received_, eof);
      if (answer.state == HttpState::bad) return finish({false, fail_text(answer.error)});
      if (answer.state == HttpState::complete) return judge(answer);
      if (io == Io::again) return wait(want);
    }
  }

  void judge(const healthcheck::HttpResponse& answer) {
    if (!healthcheck::status_matches(answer.status, url().status_codes))
      return finish({false, fail_text("status " + std::to_string(answer.status))});
    if (!url().digest.empty()) {
      const std::string got = md5_hex(answer.body);
      if (got != url().digest) return finish({false, fail_text("digest " + got + ", want " + url().digest)});
    }
    release();
    ++url_index_;
    next_url();
  }

  void wait(short events) {
    loop_.watch(fd_, events, [this](short) { step(); });
  }

  Io write_some(short& want) {
    const char* p = request_.data() + sent_;
    const size_t n = request_.size() - sent_;
    if (ssl_) {
      size_t w = 0;
      if (SSL_write_ex(ssl_, p, n, &w) == 1) {
        sent_ += w;
        return Io::done;
      }
      return ssl_wait(want);
    }
    const ssize_t w = ::send(fd_, p, n, MSG_NOSIGNAL);
    if (w > 0) {
      sent_ += size_t(w);
      return Io::done;
    }
    want = POLLOUT;
    return w < 0 && (errno == EAGAIN || errno == EINTR) ? Io::again : Io::failed;
  }

  Io read_some(short& want, bool& eof) {
    char buf[16384];
    if (ssl_) {
      size_t r = 0;
      if (SSL_read_ex(ssl_, buf, sizeof buf, &r) == 1) {
        received_.append(buf, r);
        return Io::done;
      }
      const int e = SSL_get_error(ssl_, 0);
      if (e == SSL_ERROR_ZERO_RETURN || e == SSL_ERROR_SYSCALL) {  // close_notify, or a bare close
        eof = true;
        return Io::done;
      }
      return ssl_wait(want);
    }
    const ssize_t r = ::recv(fd_, buf, sizeof buf, 0);
    if (r > 0) {
      received_.append(buf, size_t(r));
      return Io::done;
    }
    if (r == 0) {
      eof = true;
      return Io::done;
    }
    want = POLLIN;
    return errno == EAGAIN || errno == EINTR ? Io::again : Io::failed;
  }

  Io ssl_wait(short& want) {
    const int e = SSL_get_error(ssl_, 0);
    if (e == SSL_ERROR_WANT_READ) want = POLLIN;
    else if (e == SSL_ERROR_WANT_WRITE) want = POLLOUT;
    else return Io::failed;
    return Io::again;
  }

  EventLoop& loop_;
  TlsContext* tls_;
  keepalived::Checker checker_;  // a copy: a reload may replace the model while this runs
  ProbeDone done_;
  size_t url_index_ = 0;
  std::string host_, request_, received_;
  size_t sent_ = 0;
  bool handshaken_ = true;
  std::unique_ptr<TcpConnect> connect_;
  int fd_ = -1;
  SSL* ssl_ = nullptr;
  EventLoop::TimerId timer_ = 0;
};

}  // namespace

std::unique_ptr<Probe> start_http_probe(const ProbeEnv& env, const keepalived::Checker& c, ProbeDone done) {
  return std::make_unique<HttpProbe>(env, c, std::move(done));
}

}  // namespace dplb::hc

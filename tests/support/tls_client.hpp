#pragma once
// Test support: one HTTPS request to 127.0.0.1 with OpenSSL, checking the server's certificate
// against a given CA file and the IP address 127.0.0.1.

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string>

#include "tests/support/http_client.hpp"

namespace pathways::testing {

struct TlsReply {
  bool handshake_ok = false;
  std::string error;  // OpenSSL's reason when the handshake failed
  HttpReply reply;
};

inline TlsReply TlsRequest(std::uint16_t port, const std::string& ca_file,
                           const std::string& target) {
  TlsReply out;
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_client_method()),
                                                        SSL_CTX_free);
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
  if (SSL_CTX_load_verify_locations(ctx.get(), ca_file.c_str(), nullptr) != 1) {
    out.error = "cannot load " + ca_file;
    return out;
  }
  const int fd = ConnectLocal(port);
  if (fd < 0) {
    out.error = "cannot connect";
    return out;
  }
  std::unique_ptr<SSL, decltype(&SSL_free)> ssl(SSL_new(ctx.get()), SSL_free);
  SSL_set_fd(ssl.get(), fd);
  X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl.get()), "127.0.0.1");
  if (SSL_connect(ssl.get()) != 1) {
    char buf[256];
    ERR_error_string_n(ERR_get_error(), buf, sizeof buf);
    out.error = buf;
    ::close(fd);
    return out;
  }
  out.handshake_ok = true;
  const std::string req =
      "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  SSL_write(ssl.get(), req.data(), static_cast<int>(req.size()));
  std::string raw;
  char buf[16384];
  for (int n; (n = SSL_read(ssl.get(), buf, sizeof buf)) > 0;) raw.append(buf, n);
  out.reply = ParseReply(raw);
  ::close(fd);
  return out;
}

}  // namespace pathways::testing

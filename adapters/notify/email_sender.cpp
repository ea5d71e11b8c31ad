#include "adapters/notify/email_sender.hpp"

#include <algorithm>
#include <ctime>

#include "adapters/notify/base64.hpp"
#include "adapters/notify/curl_easy.hpp"

namespace pathways::notify {
namespace {

// Base64 in lines of 76 characters, as MIME wants a body part.
std::string Base64Lines(std::string_view bytes) {
  const std::string all = Base64Encode(bytes);
  std::string out;
  for (std::size_t i = 0; i < all.size(); i += 76) out += all.substr(i, 76) + "\r\n";
  return out;
}

// A header value: as is when plain ASCII without line breaks, else RFC 2047 encoded.
std::string HeaderText(std::string_view text) {
  bool plain = true;
  for (char c : text) plain = plain && c >= 0x20 && c < 0x7f;
  if (plain) return std::string(text);
  return "=?UTF-8?B?" + Base64Encode(text) + "?=";
}

// Only what an address may hold: no line breaks that would smuggle in headers.
std::string Address(std::string_view a) {
  std::string out;
  for (char c : a) {
    if (c != '\r' && c != '\n' && c != '<' && c != '>') out.push_back(c);
  }
  return out;
}

std::string RfcDate() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return buf;
}

struct Upload {
  std::string data;
  std::size_t at = 0;
};

std::size_t ReadUpload(char* out, std::size_t size, std::size_t n, void* user) {
  auto* u = static_cast<Upload*>(user);
  const std::size_t len = std::min(size * n, u->data.size() - u->at);
  std::copy_n(u->data.data() + u->at, len, out);
  u->at += len;
  return len;
}

}  // namespace

std::string ComposeEmail(const SmtpServer& server, const EmailMessage& m, const std::string& date) {
  const std::string boundary = "=_pathways_" + Base64Encode(m.message_id).substr(0, 16);
  std::string out;
  out += "Date: " + date + "\r\n";
  out += "From: <" + Address(server.from) + ">\r\n";
  out += "To: <" + Address(m.to) + ">\r\n";
  out += "Message-ID: <" + Address(m.message_id) + ">\r\n";
  out += "Subject: " + HeaderText(m.subject) + "\r\n";
  out += "MIME-Version: 1.0\r\n";
  if (m.html.empty()) {
    out += "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n";
    out += Base64Lines(m.text);
    return out;
  }
  out += "Content-Type: multipart/alternative; boundary=\"" + boundary + "\"\r\n\r\n";
  out += "--" + boundary + "\r\n";
  out += "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n";
  out += Base64Lines(m.text);
  out += "--" + boundary + "\r\n";
  out += "Content-Type: text/html; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n";
  out += Base64Lines(m.html);
  out += "--" + boundary + "--\r\n";
  return out;
}

EmailSender::EmailSender() : curl_(std::make_unique<CurlEasy>()) {}
EmailSender::~EmailSender() = default;

EmailResult EmailSender::Send(const SmtpServer& server, const EmailMessage& message) {
  EmailResult result;
  CURL* c = curl_->Fresh();
  if (c == nullptr) {
    result.error = "libcurl could not be initialised";
    return result;
  }
  Upload upload{ComposeEmail(server, message, RfcDate()), 0};
  const std::string from = "<" + Address(server.from) + ">";
  struct curl_slist* rcpt = curl_slist_append(nullptr, ("<" + Address(message.to) + ">").c_str());
  curl_easy_setopt(c, CURLOPT_URL, server.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
  curl_easy_setopt(c, CURLOPT_USE_SSL, server.require_tls ? CURLUSESSL_ALL : CURLUSESSL_TRY);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!server.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, server.ca_file.c_str());
  if (!server.username.empty()) {
    curl_easy_setopt(c, CURLOPT_USERNAME, server.username.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, server.password.c_str());
  }
  curl_easy_setopt(c, CURLOPT_READFUNCTION, &ReadUpload);
  curl_easy_setopt(c, CURLOPT_READDATA, &upload);
  curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(server.timeout.count()));
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  const CURLcode code = curl_easy_perform(c);
  curl_slist_free_all(rcpt);
  if (code == CURLE_OK) {
    result.sent = true;
    return result;
  }
  long reply = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply);
  result.error = std::string(curl_easy_strerror(code)) +
                 (reply != 0 ? " (server answered " + std::to_string(reply) + ")" : "");
  result.permanent = reply >= 500 && reply < 600;
  return result;
}

}  // namespace pathways::notify

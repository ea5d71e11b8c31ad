#include "adapters/notify/email_sender.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>

#include "adapters/notify/curl_easy.hpp"
#include "engine/codec/base64.hpp"

namespace pathways::notify {
namespace {

// Base64 in lines of 76 characters, as MIME wants a body part.
std::string Base64Lines(std::string_view bytes) {
  const std::string all = codec::Base64Encode(bytes);
  std::string out;
  for (std::size_t i = 0; i < all.size(); i += 76) out += all.substr(i, 76) + "\r\n";
  return out;
}

// A header value: as is when plain ASCII without line breaks, else RFC 2047 encoded.
std::string HeaderText(std::string_view text) {
  bool plain = true;
  for (char c : text) plain = plain && c >= 0x20 && c < 0x7f;
  if (plain) return std::string(text);
  return "=?UTF-8?B?" + codec::Base64Encode(text) + "?=";
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

namespace {

// Whether a part can go as 8-bit text: every line within SMTP's 998 bytes.
bool ShortLines(std::string_view text) {
  std::size_t line = 0;
  for (char c : text) {
    line = c == '\n' ? 0 : line + 1;
    if (line > 998) return false;
  }
  return true;
}

// A part's headers and body. A message written to a file goes as 8-bit UTF-8 when its lines
// allow, so `less` shows it as it reads; one sent over SMTP in base64, which every server takes.
std::string Part(const std::string& type, const std::string& body, bool to_file) {
  std::string out = "Content-Type: " + type + "; charset=UTF-8\r\n";
  if (to_file && ShortLines(body)) {
    std::string crlf;
    for (char c : body) {
      if (c == '\n' && (crlf.empty() || crlf.back() != '\r')) crlf += '\r';
      crlf += c;
    }
    if (crlf.empty() || crlf.back() != '\n') crlf += "\r\n";
    return out + "Content-Transfer-Encoding: 8bit\r\n\r\n" + crlf;
  }
  return out + "Content-Transfer-Encoding: base64\r\n\r\n" + Base64Lines(body);
}

}  // namespace

std::string ComposeEmail(const SmtpServer& server, const EmailMessage& m, const std::string& date) {
  const std::string boundary = "=_pathways_" + codec::Base64Encode(m.message_id).substr(0, 16);
  const bool to_file = !server.directory.empty();
  std::string out;
  out += "Date: " + date + "\r\n";
  out += "From: <" + Address(server.from) + ">\r\n";
  out += "To: <" + Address(m.to) + ">\r\n";
  out += "Message-ID: <" + Address(m.message_id) + ">\r\n";
  out += "Subject: " + HeaderText(m.subject) + "\r\n";
  out += "MIME-Version: 1.0\r\n";
  if (m.html.empty()) return out + Part("text/plain", m.text, to_file);
  out += "Content-Type: multipart/alternative; boundary=\"" + boundary + "\"\r\n\r\n";
  out += "--" + boundary + "\r\n" + Part("text/plain", m.text, to_file);
  out += "--" + boundary + "\r\n" + Part("text/html", m.html, to_file);
  out += "--" + boundary + "--\r\n";
  return out;
}

namespace {

// The message as a file in the directory: written whole and synced under a temporary name,
// then renamed, so a mail client never sees half a message and a written one survives a crash.
// Named by Message-ID and recipient: a retry rewrites the same file.
EmailResult WriteToDirectory(const SmtpServer& server, const EmailMessage& m) {
  EmailResult result;
  std::string name = m.message_id + " " + m.to;
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '@' && c != '.' && c != '-') c = '_';
  }
  const std::filesystem::path dir(server.directory);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  const std::string path = (dir / (name + ".eml")).string();
  const std::string tmp = (dir / ("." + name + ".tmp")).string();
  const std::string text = ComposeEmail(server, m, RfcDate());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  bool ok = fd >= 0;
  for (std::size_t done = 0; ok && done < text.size();) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<std::size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  const int err = errno;
  if (fd >= 0) ::close(fd);
  if (ok && std::rename(tmp.c_str(), path.c_str()) == 0) {
    result.sent = true;
    return result;
  }
  result.error = "cannot write " + path + ": " + std::strerror(ok ? errno : err);
  std::filesystem::remove(tmp, ec);
  return result;
}

}  // namespace

EmailSender::EmailSender() : curl_(std::make_unique<CurlEasy>()) {}
EmailSender::~EmailSender() = default;

EmailResult EmailSender::Send(const SmtpServer& server, const EmailMessage& message) {
  if (!server.directory.empty()) return WriteToDirectory(server, message);
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

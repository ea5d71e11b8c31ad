#pragma once
// Sends one email over SMTP with libcurl (or, with no server, writes it as a file): STARTTLS
// (required by default, with certificate checks), authentication when a user is configured, and a
// MIME message with a plain-text and an HTML part in UTF-8. The Message-ID is the caller's, stable
// across retries, so a receiving system can tell a resend from a new message.
//
// Not thread-safe: one sender per delivery thread.

#include <chrono>
#include <memory>
#include <string>

namespace pathways::notify {

struct SmtpServer {
  std::string url;        // smtp://host:port (STARTTLS) or smtps://host:port (TLS from the start)
  std::string directory;  // or: write each message to <directory>/<Message-ID> <to>.eml
  std::string from;
  std::string username;  // empty: no AUTH
  std::string password;
  bool require_tls = true;  // refuse to send in the clear (false only for local test servers)
  std::string ca_file;      // extra trust (tests, private CAs); empty: the system's
  std::chrono::milliseconds timeout{30'000};
};

struct EmailMessage {
  std::string to;
  std::string subject;     // UTF-8; encoded for the header
  std::string text;        // UTF-8 plain text
  std::string html;        // UTF-8 HTML; empty: a plain-text message
  std::string message_id;  // without angle brackets, e.g. "ntf-42@pathways"
};

struct EmailResult {
  bool sent = false;
  bool permanent = false;  // the server refused for good (5xx): no point in retrying
  std::string error;
};

// The message as sent (headers and body, CRLF line ends). `date` is an RFC 5322 date.
std::string ComposeEmail(const SmtpServer& server, const EmailMessage& m, const std::string& date);

class CurlEasy;

class EmailSender {
 public:
  EmailSender();
  ~EmailSender();
  EmailSender(const EmailSender&) = delete;
  EmailSender& operator=(const EmailSender&) = delete;

  EmailResult Send(const SmtpServer& server, const EmailMessage& message);

 private:
  std::unique_ptr<CurlEasy> curl_;
};

}  // namespace pathways::notify

#pragma once
// The words of a notification email: subject, plain text and HTML, in Danish or English, from
// a payload's notice (notice.hpp), with a template per kind of notice (milestone, risk,
// reminder, deadline, appointment, participant), and a text message's for the participant's
// SMS gateway.
// Templates from the notifications file's `templates` directory replace the built-in ones when
// present:
//   {kind}.{da,en}.{subject,txt,html,sms}    one kind's words (sms: else the subject)
//   notification.{da,en}.{subject,txt,html}   every kind without its own
//   {facts,footer}.{da,en}.{txt,html}    the parts they share ({{> facts}}, {{> footer}})
//
// Thread-safe once loaded (read-only).

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "adapters/notify/payload.hpp"
#include "workflows/diagnostics.hpp"

namespace pathways::notify {

struct EmailText {
  std::string subject;
  std::string text;
  std::string html;
  std::string sms;  // one line
};

class EmailTemplates {
 public:
  // The built-in templates: the shipped config/templates, embedded at build time.
  EmailTemplates();
  // Loads `notification.{da,en}.{subject,txt,html}` from `dir`, where present, over the
  // built-in ones; each is checked by rendering it once. Problems name the file.
  std::vector<workflows::Diagnostic> Load(const std::string& dir);

  // `confirm`: {url, expires_at} of a signed link the email carries ({{#confirm}} url, until),
  // or null.
  EmailText Render(const Payload& payload, const std::string& language,
                   const nlohmann::json& confirm = nullptr) const;

 private:
  using Reader = std::function<bool(const std::string& name, std::string& into)>;
  std::vector<workflows::Diagnostic> Fill(const Reader& read);

  struct Set {
    std::string subject, text, html, sms;
  };
  struct Parts {
    std::string facts_text, facts_html, footer_text, footer_html;
  };
  std::map<std::string, std::map<std::string, Set>> sets_;  // by language, then kind
  std::map<std::string, Parts> parts_;                      // by language
};

}  // namespace pathways::notify

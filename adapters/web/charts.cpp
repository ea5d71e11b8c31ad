#include "adapters/web/charts.hpp"

#include <algorithm>

namespace pathways::web {
namespace {

constexpr int kWidth = 700;
constexpr int kLabelWidth = 280;  // the labels' column
constexpr int kBarSpace = 340;    // the longest bar
constexpr int kRow = 30;

std::string Escaped(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string Svg(int height, const std::string& body) {
  return "<svg class=\"app-chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " +
         std::to_string(kWidth) + " " + std::to_string(height) + "\" width=\"" +
         std::to_string(kWidth) + "\" height=\"" + std::to_string(height) + "\" " +
         "aria-hidden=\"true\" focusable=\"false\">" + body + "</svg>";
}

int Length(std::int64_t value, std::int64_t scale) {
  if (scale <= 0 || value <= 0) return 0;
  return static_cast<int>(std::max<std::int64_t>(1, value * kBarSpace / scale));
}

}  // namespace

std::string BarChart(const std::vector<Bar>& bars, std::int64_t scale) {
  for (const Bar& b : bars) scale = std::max(scale, b.value);
  std::string body;
  int y = 0;
  for (const Bar& b : bars) {
    const int length = Length(b.value, scale);
    const std::string mid = std::to_string(y + kRow / 2 + 5);
    body += "<text class=\"app-chart-label\" x=\"" + std::to_string(kLabelWidth - 8) + "\" y=\"" +
            mid + "\" text-anchor=\"end\">" + Escaped(b.label) + "</text>";
    body += "<rect class=\"app-chart-bar\" x=\"" + std::to_string(kLabelWidth) + "\" y=\"" +
            std::to_string(y + 5) + "\" width=\"" + std::to_string(length) + "\" height=\"" +
            std::to_string(kRow - 10) + "\"/>";
    body += "<text class=\"app-chart-value\" x=\"" + std::to_string(kLabelWidth + length + 6) +
            "\" y=\"" + mid + "\">" + std::to_string(b.value) + "</text>";
    y += kRow;
  }
  return Svg(std::max(y, kRow), body);
}

std::string ProgressChart(std::int64_t reached, std::int64_t target, const std::string& label) {
  const std::int64_t scale = std::max(reached, target);
  const int length = Length(reached, scale);
  const int mark = kLabelWidth + Length(target, scale);
  std::string body =
      "<text class=\"app-chart-label\" x=\"" + std::to_string(kLabelWidth - 8) +
      "\" y=\"25\" text-anchor=\"end\">" + Escaped(label) + "</text>" +
      "<rect class=\"app-chart-track\" x=\"" + std::to_string(kLabelWidth) +
      "\" y=\"10\" width=\"" + std::to_string(mark - kLabelWidth) + "\" height=\"20\"/>" +
      "<rect class=\"app-chart-bar\" x=\"" + std::to_string(kLabelWidth) + "\" y=\"10\" width=\"" +
      std::to_string(length) + "\" height=\"20\"/>" + "<line class=\"app-chart-target\" x1=\"" +
      std::to_string(mark) + "\" x2=\"" + std::to_string(mark) + "\" y1=\"4\" y2=\"36\"/>" +
      "<text class=\"app-chart-value\" x=\"" + std::to_string(kLabelWidth) + "\" y=\"54\">" +
      std::to_string(reached) + " / " + std::to_string(target) + "</text>";
  return Svg(62, body);
}

std::string ForecastChart(std::int64_t reached, double expected, double low, double high,
                          std::int64_t target, const std::string& label,
                          const std::string& caption) {
  auto whole = [](double v) { return static_cast<std::int64_t>(v + 0.5); };
  const std::int64_t scale = std::max({reached, target, whole(high), whole(expected)});
  auto x = [&](std::int64_t v) { return std::to_string(kLabelWidth + Length(v, scale)); };
  auto width = [&](std::int64_t v) { return std::to_string(Length(v, scale)); };
  const std::string left = std::to_string(kLabelWidth);
  std::string body = "<text class=\"app-chart-label\" x=\"" + std::to_string(kLabelWidth - 8) +
                     "\" y=\"25\" text-anchor=\"end\">" + Escaped(label) + "</text>";
  body += "<rect class=\"app-chart-track\" x=\"" + left + "\" y=\"10\" width=\"" + width(target) +
          "\" height=\"20\"/>";
  body += "<rect class=\"app-chart-forecast\" x=\"" + left + "\" y=\"10\" width=\"" +
          width(whole(expected)) + "\" height=\"20\"/>";
  body += "<rect class=\"app-chart-bar\" x=\"" + left + "\" y=\"10\" width=\"" + width(reached) +
          "\" height=\"20\"/>";
  // The range: a line from low to high with ends.
  const std::string lo = x(whole(low));
  const std::string hi = x(whole(high));
  body += "<line class=\"app-chart-range\" x1=\"" + lo + "\" x2=\"" + hi +
          "\" y1=\"20\" y2=\"20\"/><line class=\"app-chart-range\" x1=\"" + lo + "\" x2=\"" + lo +
          "\" y1=\"14\" y2=\"26\"/><line class=\"app-chart-range\" x1=\"" + hi + "\" x2=\"" + hi +
          "\" y1=\"14\" y2=\"26\"/>";
  body += "<line class=\"app-chart-target\" x1=\"" + x(target) + "\" x2=\"" + x(target) +
          "\" y1=\"4\" y2=\"36\"/>";
  body +=
      "<text class=\"app-chart-value\" x=\"" + left + "\" y=\"54\">" + Escaped(caption) + "</text>";
  return Svg(62, body);
}

}  // namespace pathways::web

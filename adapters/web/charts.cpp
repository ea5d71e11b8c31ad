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

}  // namespace pathways::web

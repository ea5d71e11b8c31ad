#pragma once
// Charts as SVG drawn on the server: horizontal bars with their numbers, for the
// administrator's progress page and printing. No script and no inline style (the CSP allows
// neither): colours come from classes in pathways.css. A chart is decoration beside a table
// holding the same numbers, so it is hidden from screen readers.
//
// Thread-safe: free functions.

#include <cstdint>
#include <string>
#include <vector>

namespace pathways::web {

struct Bar {
  std::string label;
  std::int64_t value = 0;
};

// One bar per row, scaled to the largest value (or `scale` when larger: a target).
std::string BarChart(const std::vector<Bar>& bars, std::int64_t scale = 0);

// How far `reached` is toward `target`: a bar with the target marked.
std::string ProgressChart(std::int64_t reached, std::int64_t target, const std::string& label);

// Progress with a forecast: `reached` as a bar, the count expected at the end as a lighter one
// behind it with its range (`low`–`high`) as a whisker, and the target marked. `caption` is the
// line of numbers under it.
std::string ForecastChart(std::int64_t reached, double expected, double low, double high,
                          std::int64_t target, const std::string& label,
                          const std::string& caption);

}  // namespace pathways::web

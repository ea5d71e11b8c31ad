#pragma once
// RFC 4180 CSV for importing leads (lead_import.hpp): records with the line each starts on, quoted
// cells that may hold separators, doubled quotes and line breaks, `\n` or `\r\n` line ends, and a
// clear error with its line for what is not CSV. The separator is a comma, or a semicolon when
// the header row has semicolons and no comma (Danish spreadsheets save so).

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace pathways::app {

struct CsvRecord {
  std::size_t line = 0;  // 1-based line where the record starts
  std::vector<std::string> cells;
};

struct CsvResult {
  std::vector<CsvRecord> records;  // every complete record, blank lines skipped
  std::string error;               // empty: the whole text was read
  std::size_t error_line = 0;
};

CsvResult ReadCsv(std::string_view text);

}  // namespace pathways::app

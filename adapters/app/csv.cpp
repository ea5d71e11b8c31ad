#include "adapters/app/csv.hpp"

namespace pathways::app {
namespace {

// The header row's separator: a semicolon when it has semicolons and no comma (a spreadsheet
// saving CSV under a Danish locale), else a comma.
char Separator(std::string_view text) {
  const std::string_view header = text.substr(0, text.find('\n'));
  const bool semicolons = header.find(';') != std::string_view::npos;
  return semicolons && header.find(',') == std::string_view::npos ? ';' : ',';
}

}  // namespace

CsvResult ReadCsv(std::string_view text) {
  CsvResult out;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // a spreadsheet's BOM
  const char separator = Separator(text);
  std::size_t line = 1;
  std::size_t i = 0;
  while (i < text.size()) {
    CsvRecord record{line, {}};
    std::string cell;
    bool quoted = false;      // inside a quoted cell
    bool was_quoted = false;  // the current cell was quoted (only a separator may follow)
    for (;; ++i) {
      if (i == text.size()) {
        if (quoted) {
          out.error = "a quoted cell is not closed (it opens on this line)";
          out.error_line = record.line;
          return out;
        }
        record.cells.push_back(std::move(cell));
        break;
      }
      const char c = text[i];
      if (quoted) {
        if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
          cell.push_back('"');
          ++i;
        } else if (c == '"') {
          quoted = false;
        } else {
          if (c == '\n') ++line;
          cell.push_back(c);
        }
        continue;
      }
      if (c == separator) {
        record.cells.push_back(std::move(cell));
        cell.clear();
        was_quoted = false;
      } else if (c == '\n' || (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n')) {
        if (c == '\r') ++i;
        ++i;
        ++line;
        record.cells.push_back(std::move(cell));
        break;
      } else if (c == '"' && cell.empty() && !was_quoted) {
        quoted = was_quoted = true;
      } else if (was_quoted || c == '"') {
        out.error = was_quoted ? "text after a quoted cell's closing quote"
                               : "a quote inside an unquoted cell (quote the cell and double it)";
        out.error_line = line;
        return out;
      } else {
        cell.push_back(c);
      }
    }
    const bool blank = record.cells.size() == 1 && record.cells[0].empty();
    if (!blank) out.records.push_back(std::move(record));
  }
  return out;
}

}  // namespace pathways::app

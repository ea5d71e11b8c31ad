#include "engine/runtime/calendar.hpp"

#include <date/tz.h>

#include <algorithm>
#include <cstdio>
#include <vector>

namespace pathways::runtime {
namespace {
constexpr std::int64_t kDayMs = 86'400'000;

std::int64_t FloorDiv(std::int64_t a, std::int64_t b) {
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}

// Europe/Copenhagen from the system's tz database (Debian's tzdata); null, and so UTC, only on
// a machine without it.
const date::time_zone* Copenhagen() {
  static const date::time_zone* const zone = []() -> const date::time_zone* {
    try {
      return date::locate_zone("Europe/Copenhagen");
    } catch (const std::exception&) {
      return nullptr;
    }
  }();
  return zone;
}

}  // namespace

std::int64_t LocalMs(TimestampMs utc) {
  const date::time_zone* zone = Copenhagen();
  if (zone == nullptr) return utc;
  // The offset holds for months at a time: each thread keeps the span of the last one it looked
  // up, so a report's hundred thousand moments cost a comparison each, not a zone lookup.
  struct Span {
    std::int64_t begin_s = 0;
    std::int64_t end_s = 0;  // exclusive; begin_s == end_s: none yet
    std::int64_t offset_ms = 0;
  };
  thread_local Span last;
  // In seconds, as the zone's spans are: the first and last are open-ended (their ends at the
  // limits of seconds, beyond those of milliseconds).
  const std::int64_t s = FloorDiv(utc, 1000);
  if (s >= last.begin_s && s < last.end_s) return utc + last.offset_ms;
  const date::sys_time<std::chrono::milliseconds> t{std::chrono::milliseconds{utc}};
  const date::sys_info info = zone->get_info(t);
  last = {info.begin.time_since_epoch().count(), info.end.time_since_epoch().count(),
          std::chrono::duration_cast<std::chrono::milliseconds>(info.offset).count()};
  return utc + last.offset_ms;
}

TimestampMs UtcOfLocal(std::int64_t local_ms) {
  const date::time_zone* zone = Copenhagen();
  if (zone == nullptr) return local_ms;
  const date::local_time<std::chrono::milliseconds> t{std::chrono::milliseconds{local_ms}};
  // The hour the clocks skip in spring maps to the moment they skip it; of the hour they
  // repeat in autumn, the first.
  return zone->to_sys(t, date::choose::earliest).time_since_epoch().count();
}

std::int64_t DayNumber(TimestampMs ms) { return FloorDiv(LocalMs(ms), kDayMs); }

TimestampMs DayStart(std::int64_t day_number) { return UtcOfLocal(day_number * kDayMs); }

// Howard Hinnant's public-domain civil calendar algorithms, restated.
std::int64_t DaysFromCivil(int year, int month, int day) {
  const int y = year - (month <= 2 ? 1 : 0);
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - static_cast<int>(era * 400);
  const int mp = (month + 9) % 12;
  const int doy = (153 * mp + 2) / 5 + day - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void CivilFromDays(std::int64_t days, int& year, int& month, int& day) {
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const int doe = static_cast<int>(days - era * 146097);
  const int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int mp = (5 * doy + 2) / 153;
  day = doy - (153 * mp + 2) / 5 + 1;
  month = mp < 10 ? mp + 3 : mp - 9;
  year = static_cast<int>(yoe + era * 400) + (month <= 2 ? 1 : 0);
}

std::int64_t EasterSunday(int year) {
  // The anonymous Gregorian algorithm (Meeus/Jones/Butcher).
  const int a = year % 19;
  const int b = year / 100;
  const int c = year % 100;
  const int d = b / 4;
  const int e = b % 4;
  const int f = (b + 8) / 25;
  const int g = (b - f + 1) / 3;
  const int h = (19 * a + b - d - g + 15) % 30;
  const int i = c / 4;
  const int k = c % 4;
  const int l = (32 + 2 * e + 2 * i - h - k) % 7;
  const int m = (a + 11 * h + 22 * l) / 451;
  const int month = (h + l - 7 * m + 114) / 31;
  const int day = (h + l - 7 * m + 114) % 31 + 1;
  return DaysFromCivil(year, month, day);
}

std::vector<std::int64_t> DanishHolidays(int year) {
  const std::int64_t easter = EasterSunday(year);
  std::vector<std::int64_t> days = {
      DaysFromCivil(year, 1, 1),
      DaysFromCivil(year, 6, 5),  // New Year, Constitution Day
      DaysFromCivil(year, 12, 24),
      DaysFromCivil(year, 12, 25),
      DaysFromCivil(year, 12, 26),
      easter - 3,   // Maundy Thursday
      easter - 2,   // Good Friday
      easter,       // Easter Sunday
      easter + 1,   // Easter Monday
      easter + 39,  // Ascension Day
      easter + 49,  // Whit Sunday
      easter + 50,  // Whit Monday
  };
  if (year < 2024) days.push_back(easter + 26);  // Great Prayer Day, abolished from 2024
  // Two can fall on one day (Whit Monday on Constitution Day): each day once.
  std::sort(days.begin(), days.end());
  days.erase(std::unique(days.begin(), days.end()), days.end());
  return days;
}

bool IsDanishHoliday(std::int64_t day_number) {
  int year = 0;
  int month = 0;
  int day = 0;
  CivilFromDays(day_number, year, month, day);
  const std::vector<std::int64_t> holidays = DanishHolidays(year);
  return std::find(holidays.begin(), holidays.end(), day_number) != holidays.end();
}

namespace {

bool IsWeekday(std::int64_t day_number) {
  return ((day_number % 7) + 7 + 3) % 7 < 5;  // 0 = Monday (1970-01-01 was a Thursday)
}

int YearOf(std::int64_t day_number) {
  int year = 0;
  int month = 0;
  int day = 0;
  CivilFromDays(day_number, year, month, day);
  return year;
}

// Working days among the seven days from `first` on (or back from it, when `step` is -1):
// any seven days in a row hold five weekdays, less the public holidays among them that fall
// on one. A few look-ups in one or two years' holidays: a step per week, not per day.
std::int64_t WorkingDaysInWeek(std::int64_t first, std::int64_t step) {
  const std::int64_t low = step > 0 ? first : first - 6;
  const std::int64_t high = low + 6;
  std::int64_t count = 5;
  for (int year = YearOf(low); year <= YearOf(high); ++year) {
    for (std::int64_t h : DanishHolidays(year)) {
      if (h >= low && h <= high && IsWeekday(h)) --count;
    }
  }
  return count;
}

}  // namespace

bool IsWorkingDay(std::int64_t day_number) {
  return IsWeekday(day_number) && !IsDanishHoliday(day_number);
}

TimestampMs Add(TimestampMs from, const definition::Duration& d) {
  using Unit = definition::Duration::Unit;
  // On the Danish calendar: the day of `from` and its time of day on the wall clock, so that
  // "14 days" from 09:00 is 09:00 again across a change to or from summer time.
  const std::int64_t local = LocalMs(from);
  const std::int64_t start_day = FloorDiv(local, kDayMs);
  const std::int64_t time_of_day = local - start_day * kDayMs;
  auto at = [&](std::int64_t day) { return UtcOfLocal(day * kDayMs + time_of_day); };
  switch (d.unit) {
    case Unit::kDays: return at(start_day + d.amount);
    case Unit::kWeeks: return at(start_day + d.amount * 7);
    case Unit::kWorkingDays: {
      std::int64_t day = start_day;
      const std::int64_t step = d.amount >= 0 ? 1 : -1;
      std::int64_t left = d.amount >= 0 ? d.amount : -d.amount;
      // Whole weeks while more than a week's working days are left, then day by day (at
      // most a week of them).
      for (std::int64_t week = WorkingDaysInWeek(day + step, step); left > week;
           week = WorkingDaysInWeek(day + step, step)) {
        day += 7 * step;
        left -= week;
      }
      while (left > 0) {
        day += step;
        if (IsWorkingDay(day)) --left;
      }
      return at(day);
    }
    case Unit::kMonths: {
      int y = 0;
      int m = 0;
      int dd = 0;
      CivilFromDays(start_day, y, m, dd);
      std::int64_t months = static_cast<std::int64_t>(y) * 12 + (m - 1) + d.amount;
      const int ny = static_cast<int>(months >= 0 ? months / 12 : (months - 11) / 12);
      const int nm = static_cast<int>(months - static_cast<std::int64_t>(ny) * 12) + 1;
      const int last =
          static_cast<int>(DaysFromCivil(nm == 12 ? ny + 1 : ny, nm == 12 ? 1 : nm + 1, 1) -
                           DaysFromCivil(ny, nm, 1));
      return at(DaysFromCivil(ny, nm, std::min(dd, last)));
    }
  }
  return from;
}

bool ParseDate(const std::string& text, TimestampMs& out) {
  int y = 0;
  int m = 0;
  int d = 0;
  char tail = 0;
  if (text.size() != 10 || std::sscanf(text.c_str(), "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 ||
      m < 1 || m > 12 || d < 1) {
    return false;
  }
  const std::int64_t day = DaysFromCivil(y, m, d);
  int cy = 0;
  int cm = 0;
  int cd = 0;
  CivilFromDays(day, cy, cm, cd);
  if (cy != y || cm != m || cd != d) return false;  // 2026-02-30
  out = DayStart(day);
  return true;
}

bool BirthDayFromCpr(const std::string& cpr, std::int64_t& day_number) {
  std::string digits;
  for (char c : cpr) {
    if (c >= '0' && c <= '9') {
      digits += c;
    } else if (c != '-' || digits.size() != 6) {
      return false;
    }
  }
  if (digits.size() != 10) return false;
  auto number = [&](std::size_t at) { return (digits[at] - '0') * 10 + (digits[at + 1] - '0'); };
  const int d = number(0);
  const int m = number(2);
  const int yy = number(4);
  const int seventh = digits[6] - '0';
  int century = 1900;
  if (seventh == 4 || seventh == 9) {
    century = yy <= 36 ? 2000 : 1900;
  } else if (seventh >= 5 && seventh <= 8) {
    century = yy <= 57 ? 2000 : 1800;
  }
  char iso[32];  // 10 and the NUL; room for any int, as the compiler cannot see the ranges
  std::snprintf(iso, sizeof iso, "%04d-%02d-%02d", century + yy, m, d);
  TimestampMs at = 0;
  if (!ParseDate(iso, at)) return false;
  day_number = DayNumber(at);
  return true;
}

int AgeOn(std::int64_t birth_day, std::int64_t day_number) {
  int by = 0, bm = 0, bd = 0, y = 0, m = 0, d = 0;
  CivilFromDays(birth_day, by, bm, bd);
  CivilFromDays(day_number, y, m, d);
  int age = y - by;
  if (m < bm || (m == bm && d < bd)) --age;
  return age;
}

}  // namespace pathways::runtime

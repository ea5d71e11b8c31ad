// Calendar arithmetic: Easter, Danish public holidays, working days, months.

#include "engine/runtime/calendar.hpp"

#include <doctest/doctest.h>

namespace pathways::runtime {
namespace {

std::int64_t Day(int y, int m, int d) { return DaysFromCivil(y, m, d); }

std::string Date(TimestampMs ms) {
  int y = 0, m = 0, d = 0;
  CivilFromDays(DayNumber(ms), y, m, d);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
  return buf;
}

TEST_CASE("Easter Sunday") {
  CHECK(EasterSunday(2023) == Day(2023, 4, 9));
  CHECK(EasterSunday(2024) == Day(2024, 3, 31));
  CHECK(EasterSunday(2025) == Day(2025, 4, 20));
  CHECK(EasterSunday(2026) == Day(2026, 4, 5));
  CHECK(EasterSunday(2027) == Day(2027, 3, 28));
  CHECK(EasterSunday(2038) == Day(2038, 4, 25));  // the latest possible
}

TEST_CASE("Danish public holidays") {
  for (auto [m, d] : {std::pair{1, 1},
                      {4, 2},
                      {4, 3},
                      {4, 5},
                      {4, 6},
                      {5, 14},
                      {5, 24},
                      {5, 25},
                      {6, 5},
                      {12, 24},
                      {12, 25},
                      {12, 26}}) {
    CHECK_MESSAGE(IsDanishHoliday(Day(2026, m, d)), "2026-" << m << "-" << d);
  }
  CHECK_FALSE(IsDanishHoliday(Day(2026, 4, 7)));
  CHECK(IsDanishHoliday(Day(2023, 5, 5)));         // Great Prayer Day, before 2024
  CHECK_FALSE(IsDanishHoliday(Day(2024, 4, 26)));  // abolished from 2024
  CHECK_FALSE(IsWorkingDay(Day(2026, 3, 7)));      // a Saturday
  CHECK(IsWorkingDay(Day(2026, 3, 9)));            // a Monday
}

TEST_CASE("adding durations") {
  using D = definition::Duration;
  const TimestampMs wednesday = DayStart(Day(2026, 4, 1)) + 9 * 3'600'000;
  // Easter week: Thursday, Friday and Monday are holidays, then a weekend.
  CHECK(Date(Add(wednesday, {5, D::Unit::kWorkingDays})) == "2026-04-13");
  CHECK((Add(wednesday, {5, D::Unit::kWorkingDays}) - wednesday) % 86'400'000 == 0);  // keeps 09:00
  CHECK(Date(Add(DayStart(Day(2026, 3, 6)), {1, D::Unit::kWorkingDays})) == "2026-03-09");
  CHECK(Date(Add(DayStart(Day(2026, 3, 9)), {-1, D::Unit::kWorkingDays})) == "2026-03-06");
  CHECK(Date(Add(DayStart(Day(2026, 1, 31)), {1, D::Unit::kMonths})) == "2026-02-28");
  CHECK(Date(Add(DayStart(Day(2026, 11, 30)), {3, D::Unit::kMonths})) == "2027-02-28");
  CHECK(Date(Add(DayStart(Day(2026, 3, 2)), {-6, D::Unit::kWeeks})) == "2026-01-19");
  CHECK(Date(Add(DayStart(Day(2026, 3, 2)), {15, D::Unit::kMonths})) == "2027-06-02");
}

TEST_CASE("working days by the week agree with counting them day by day, both ways") {
  using D = definition::Duration;
  int compared = 0;
  for (std::int64_t start = Day(2019, 12, 20); start < Day(2031, 1, 10); start += 37) {
    for (std::int64_t amount : {0, 1, 4, 5, 6, 9, 10, 11, 23, 64, 250, 261, 600, 2610}) {
      for (std::int64_t sign : {1, -1}) {
        std::int64_t day = start;
        for (std::int64_t left = amount; left > 0;) {
          day += sign;
          if (IsWorkingDay(day)) --left;
        }
        const TimestampMs from = DayStart(start) + 13 * 3'600'000;
        CHECK_MESSAGE(
            Add(from, {sign * amount, D::Unit::kWorkingDays}) == DayStart(day) + 13 * 3'600'000,
            Date(from) << " " << sign * amount);
        ++compared;
      }
    }
  }
  CHECK(compared > 3000);
}

TEST_CASE("dates parse strictly") {
  TimestampMs ms = 0;
  CHECK(ParseDate("2026-03-02", ms));
  CHECK(Date(ms) == "2026-03-02");
  CHECK_FALSE(ParseDate("2026-02-30", ms));
  CHECK_FALSE(ParseDate("2026-3-2", ms));
  CHECK_FALSE(ParseDate("02-03-2026", ms));
}

}  // namespace
}  // namespace pathways::runtime

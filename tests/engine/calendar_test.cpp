// Calendar arithmetic: Easter, Danish public holidays, working days, months.

#include "engine/runtime/calendar.hpp"

#include <doctest/doctest.h>

namespace pathways::runtime {
namespace {

std::int64_t Day(int y, int m, int d) { return DaysFromCivil(y, m, d); }
constexpr std::int64_t kHour = 3'600'000;
constexpr std::int64_t kDay = 24 * kHour;

// A UTC instant written as its date and time (ISO 8601 with Z).
TimestampMs Utc(int y, int m, int d, int hour, int minute = 0) {
  return Day(y, m, d) * kDay + hour * kHour + minute * 60'000;
}

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

TEST_CASE("a CPR number's day of birth, its century from the seventh digit, and an age") {
  auto born = [](const std::string& cpr) {
    std::int64_t day = 0;
    REQUIRE_MESSAGE(BirthDayFromCpr(cpr, day), cpr);
    int y = 0, m = 0, d = 0;
    CivilFromDays(day, y, m, d);
    return y * 10000 + m * 100 + d;
  };
  CHECK(born("030201-1234") == 19010203);  // 0-3: the 1900s
  CHECK(born("0302014234") == 20010203);   // 4 and 9: 00-36 the 2000s ...
  CHECK(born("030277-9234") == 19770203);  // ... 37-99 the 1900s
  CHECK(born("030257-5234") == 20570203);  // 5-8: 00-57 the 2000s ...
  CHECK(born("030258-8234") == 18580203);  // ... 58-99 the 1800s
  std::int64_t day = 0;
  CHECK_FALSE(BirthDayFromCpr("310201-1234", day));  // 31 February
  CHECK_FALSE(BirthDayFromCpr("03020-11234", day));
  CHECK_FALSE(BirthDayFromCpr("030201-123", day));
  CHECK_FALSE(BirthDayFromCpr("030201+1234", day));

  const std::int64_t birth = DaysFromCivil(2001, 3, 2);
  CHECK(AgeOn(birth, DaysFromCivil(2026, 3, 1)) == 24);
  CHECK(AgeOn(birth, DaysFromCivil(2026, 3, 2)) == 25);
  const std::int64_t leap = DaysFromCivil(2000, 2, 29);
  CHECK(AgeOn(leap, DaysFromCivil(2025, 2, 28)) == 24);
  CHECK(AgeOn(leap, DaysFromCivil(2025, 3, 1)) == 25);
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
        const TimestampMs from = UtcOfLocal(start * kDay + 13 * kHour);
        CHECK_MESSAGE(Add(from, {sign * amount, D::Unit::kWorkingDays}) ==
                          UtcOfLocal(day * kDay + 13 * kHour),
                      Date(from) << " " << sign * amount);
        ++compared;
      }
    }
  }
  CHECK(compared > 3000);
}

TEST_CASE("Danish time: days, dates and times of day across both summer-time switches") {
  using D = definition::Duration;
  // Winter time is UTC+1, summer time (from 2026-03-29 02:00 to 2026-10-25 03:00) UTC+2.
  CHECK(LocalMs(Utc(2026, 1, 15, 12)) == Utc(2026, 1, 15, 13));
  CHECK(LocalMs(Utc(2026, 7, 15, 12)) == Utc(2026, 7, 15, 14));
  // At the switches to the millisecond, in an order that leaves each lookup's span the wrong
  // one for the next (the offset is kept per span).
  const TimestampMs spring = Utc(2026, 3, 29, 1);   // 02:00 winter time becomes 03:00
  const TimestampMs autumn = Utc(2026, 10, 25, 1);  // 03:00 summer time becomes 02:00
  for (int round = 0; round < 2; ++round) {
    CHECK(LocalMs(spring - 1) == spring - 1 + kHour);
    CHECK(LocalMs(spring) == spring + 2 * kHour);
    CHECK(LocalMs(autumn - 1) == autumn - 1 + 2 * kHour);
    CHECK(LocalMs(autumn) == autumn + kHour);
    CHECK(LocalMs(-1) == -1 + kHour);  // before 1970, in winter time too
  }
  // 00:30 on Saturday 2026-03-07 in Copenhagen is Friday 23:30 UTC: the day is Saturday, so
  // five working days run Monday to Friday and fall on Friday at 00:30.
  const TimestampMs saturday = Utc(2026, 3, 6, 23, 30);
  CHECK(Date(saturday) == "2026-03-07");
  CHECK(Add(saturday, {5, D::Unit::kWorkingDays}) == Utc(2026, 3, 12, 23, 30));
  // A day, a week, a month from 09:00 is 09:00 on the wall clock, before and after each switch.
  CHECK(Add(Utc(2026, 3, 28, 8), {1, D::Unit::kDays}) == Utc(2026, 3, 29, 7));
  CHECK(Add(Utc(2026, 3, 25, 8), {1, D::Unit::kWeeks}) == Utc(2026, 4, 1, 7));
  CHECK(Add(Utc(2026, 3, 10, 8), {1, D::Unit::kMonths}) == Utc(2026, 4, 10, 7));
  CHECK(Add(Utc(2026, 10, 24, 7), {1, D::Unit::kDays}) == Utc(2026, 10, 25, 8));
  CHECK(Add(Utc(2026, 10, 23, 7), {1, D::Unit::kWorkingDays}) == Utc(2026, 10, 26, 8));
  CHECK(Add(Utc(2026, 10, 25, 8), {-1, D::Unit::kDays}) == Utc(2026, 10, 24, 7));
  // 02:30 on 2026-03-29 never happens: a day after 02:30 on the 28th is the moment the clocks
  // skip (03:00 summer time). 02:30 on 2026-10-25 happens twice: the first is meant.
  CHECK(Add(Utc(2026, 3, 28, 1, 30), {1, D::Unit::kDays}) == Utc(2026, 3, 29, 1));
  CHECK(Add(Utc(2026, 10, 24, 0, 30), {1, D::Unit::kDays}) == Utc(2026, 10, 25, 0, 30));
  // Midnight and dates are Danish: a date field is the start of that day in Copenhagen.
  TimestampMs ms = 0;
  REQUIRE(ParseDate("2026-07-01", ms));
  CHECK(ms == Utc(2026, 6, 30, 22));
  REQUIRE(ParseDate("2026-12-01", ms));
  CHECK(ms == Utc(2026, 11, 30, 23));
  CHECK(DayStart(Day(2026, 3, 29)) == Utc(2026, 3, 28, 23));
  CHECK(DayStart(Day(2026, 3, 30)) == Utc(2026, 3, 29, 22));
  CHECK(Date(Utc(2026, 10, 25, 22, 59)) == "2026-10-25");
  CHECK(Date(Utc(2026, 10, 25, 23)) == "2026-10-26");
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

#pragma once
// Calendar arithmetic for timers and due dates: calendar days, weeks, months and Danish
// working days (no Saturdays, Sundays or public holidays, the Easter-based ones computed).
//
// Times are UTC milliseconds; a "day" is a UTC calendar day. Thread-safe: pure functions.

#include <cstdint>
#include <vector>

#include "engine/clock.hpp"
#include "engine/definition/definition.hpp"

namespace pathways::runtime {

// Days since 1970-01-01 of a UTC timestamp, and back (midnight).
std::int64_t DayNumber(TimestampMs ms);
TimestampMs DayStart(std::int64_t day_number);

// Civil date helpers. Month 1-12.
std::int64_t DaysFromCivil(int year, int month, int day);
void CivilFromDays(std::int64_t days, int& year, int& month, int& day);

// Easter Sunday of `year` (Gregorian), as a day number.
std::int64_t EasterSunday(int year);

// Whether the day is a Danish public holiday: New Year's Day, Maundy Thursday, Good Friday,
// Easter Sunday and Monday, Ascension Day, Whit Sunday and Monday, Christmas Day and Boxing
// Day; Constitution Day (5 June) and Christmas Eve are observed as days off; Great Prayer
// Day (4th Friday after Easter) until it was abolished from 2024.
bool IsDanishHoliday(std::int64_t day_number);
// The days IsDanishHoliday names in `year`, as day numbers, in order, each once.
std::vector<std::int64_t> DanishHolidays(int year);
bool IsWorkingDay(std::int64_t day_number);

// `from` plus the duration. Working days count whole working days after the day of `from`
// and keep its time of day (a step per week, then per day for the last week); months keep
// the day of month, clamped to the month's last day.
TimestampMs Add(TimestampMs from, const definition::Duration& d);

// A date field "YYYY-MM-DD" as midnight UTC; false when malformed.
bool ParseDate(const std::string& text, TimestampMs& out);

}  // namespace pathways::runtime

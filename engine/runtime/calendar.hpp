#pragma once
// Calendar arithmetic for timers and due dates: calendar days, weeks, months and Danish
// working days (no Saturdays, Sundays or public holidays, the Easter-based ones computed).
//
// Instants are UTC milliseconds; days, dates and times of day are Danish (Europe/Copenhagen,
// from the system's tz database): a lead registered at 00:30 on a Saturday in Copenhagen is
// registered on Saturday, and "14 days" from 09:00 falls at 09:00 across a change to or from
// summer time. Thread-safe.

#include <cstdint>
#include <vector>

#include "engine/clock.hpp"
#include "engine/definition/definition.hpp"

namespace pathways::runtime {

// The Danish wall-clock time of an instant, as milliseconds since 1970-01-01T00:00 on that
// clock; and back (a time the clocks skip maps to the moment they skip it, a repeated one to
// its first occurrence).
std::int64_t LocalMs(TimestampMs utc);
TimestampMs UtcOfLocal(std::int64_t local_ms);

// The Danish day of an instant, as days since 1970-01-01; and back (its midnight).
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

// A date field "YYYY-MM-DD" as Danish midnight; false when malformed.
bool ParseDate(const std::string& text, TimestampMs& out);

// The day of birth a CPR number says ("DDMMYY-SSSS" or "DDMMYYSSSS"), the century from its
// seventh digit as the CPR office assigns it; false when it is not one.
bool BirthDayFromCpr(const std::string& cpr, std::int64_t& day_number);
// Whole years from the day of birth to `day_number` (a birthday on 29 February counts on
// 1 March in other years).
int AgeOn(std::int64_t birth_day, std::int64_t day_number);

}  // namespace pathways::runtime

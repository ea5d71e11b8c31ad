#pragma once
// The privacy property over a store: every notice to an external party, built as it would be
// sent — the webhook body, and the e-mail (subject, text, HTML) and SMS in Danish and English
// — with the participant's personal data of every scope at hand, as if the builder were asked
// to copy it all, is searched for what that party may never learn:
//
// - any value, and the name, of a guidance or special-scope field recorded on the pathway
//   (barrier notes, ESF's sensitive items, union membership and consent) — for the party that
//   hears only with the participant's consent, its own consent and membership excepted;
// - the CPR number, and any identity field the categories the party received do not name;
// - a value the definition marks sensitive or special, the field and milestone ids of a
//   sensitive category, and a barrier's id or label.
//
// Failures are doctest CHECKs on the calling thread, naming the outbox position, party and
// what leaked.

#include <cstddef>

#include "engine/definition/catalog.hpp"
#include "engine/storage/rocks_event_store.hpp"

namespace pathways::testing {

// Checks every external notice in `store`'s outbox; returns how many it checked.
std::size_t CheckExternalNotices(storage::RocksEventStore& store,
                                 const definition::DefinitionCatalog& catalog);

}  // namespace pathways::testing

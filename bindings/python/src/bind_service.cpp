// The booking service and the interfaces the host implements (clock, notifier, payment gateway),
// with Python subclasses through pybind11 trampolines; change-event subscriptions; the audit
// chain.
//
// GIL discipline: every service call releases the GIL before it touches the store, and every
// callback into Python (a Python clock, notifier, gateway, preferences function, event callback)
// takes it back. A thread therefore never waits for a store lock while holding the GIL, which is
// what would deadlock against a thread that holds the lock and needs the GIL for a callback.

#include <memory>

#include "bind.hpp"

namespace slotbook::python {

namespace {

struct py_clock : clock {
  py_clock() = default;
  instant now() override {
    py::gil_scoped_acquire gil;
    const py::function f = py::get_override(static_cast<const clock*>(this), "now");
    if (!f) throw py::type_error("Clock.now() is not implemented by this subclass");
    const py::object t = f();
    if (!is_datetime(t)) {
      throw py::type_error("Clock.now() must return an aware datetime.datetime, got " +
                           short_repr(t));
    }
    // Sub-second precision is dropped, as slotbook::system_clock does.
    return to_instant(t, true);
  }
};

struct py_notifier : notifier {
  py_notifier() = default;
  delivery send(const reminder_message& message) override {
    PYBIND11_OVERRIDE_PURE(delivery, notifier, send, message);
  }
};

struct py_gateway : payment_gateway {
  py_gateway() = default;
  refund_result refund(const refund_request& request) override {
    PYBIND11_OVERRIDE_PURE(refund_result, payment_gateway, refund, request);
  }
};

/// A subscription whose callback is a Python callable.
struct py_subscription {
  subscription sub;
  py_subscription() = default;
  explicit py_subscription(subscription s) : sub(std::move(s)) {}
  py_subscription(const py_subscription&) = delete;
  py_subscription& operator=(const py_subscription&) = delete;
  ~py_subscription() { reset(); }
  void reset() {
    if (!sub.active()) return;
    // reset() waits for a callback running on another thread, which needs the GIL to finish.
    if (PyGILState_Check() != 0) {
      py::gil_scoped_release release;
      sub.reset();
    } else {
      sub.reset();
    }
  }
};

/// The service and the Python objects it refers to by reference or pointer, kept alive with it.
struct py_service {
  py::object store_object;
  py::object clock_object;
  py::object options_object;
  std::unique_ptr<booking_service> service;

  booking_service& get() {
    if (!service) throw error(errc::invalid_argument, "BookingService: closed");
    return *service;
  }
};

template <class F>
auto unlocked(F&& f) {
  py::gil_scoped_release release;
  return f();
}

// A Python callable kept in C++ callbacks: copied without the GIL (a shared_ptr), released with it.
std::shared_ptr<py::object> hold(py::object callable) {
  return {new py::object(std::move(callable)), [](py::object* p) {
            if (Py_IsInitialized() == 0) return;  // interpreter gone: leak rather than crash
            py::gil_scoped_acquire gil;
            delete p;
          }};
}

}  // namespace

void bind_service(py::module_& m) {
  using namespace pybind11::literals;
  const auto none = py::none();

  // --- clocks ----------------------------------------------------------------------------------
  py::class_<clock, py_clock>(m, "Clock", R"doc(
The source of the current instant for a BookingService, which asks it once per operation.
Subclass it in Python and implement now() to return an aware datetime (sub-second precision is
dropped); it may be called from any thread.

    class FrozenClock(slotbook.Clock):
        def __init__(self, t):
            super().__init__()
            self.t = t
        def now(self):
            return self.t
)doc")
      .def(py::init<>())
      .def("now", &clock::now, "The current UTC instant, in whole seconds.");
  py::class_<system_clock, clock>(m, "SystemClock",
                                  "The operating system's real-time clock, in whole seconds.")
      .def(py::init<>());
  py::class_<settable_clock, clock>(m, "SettableClock", R"doc(
A clock that says whatever it was last set to, for tests, simulations and replays. Thread-safe.

    at = SettableClock(datetime(2026, 1, 14, 8, tzinfo=timezone.utc))
    at.advance(timedelta(hours=2))
)doc")
      .def(py::init([](named<instant, "start"> start) {
             return std::make_unique<settable_clock>(*start);
           }),
           "start"_a, "Starts at `start`.")
      .def(
          "set", [](settable_clock& c, named<instant, "t"> t) { c.set(*t); }, "t"_a,
          "Moves the clock to `t` (backwards too).")
      .def(
          "advance", [](settable_clock& c, named<std::chrono::seconds, "by"> d) { c.advance(*d); },
          "by"_a, "Moves the clock forward by the timedelta `by` (backward when negative).");

  // --- host interfaces -------------------------------------------------------------------------
  py::class_<notifier, py_notifier>(m, "Notifier", R"doc(
Sends reminders; implemented by the host. Subclass it and implement send(message) to return a
Delivery. Called by BookingService.run_reminders outside any transaction, on the caller's thread;
an exception counts as a failed delivery with its text as the error.

    class Mailer(slotbook.Notifier):
        def send(self, message):
            ok = smtp_send(address_of(message.client), render(message))
            return slotbook.Delivery.ok() if ok else slotbook.Delivery.failed("smtp")
)doc")
      .def(py::init<>())
      .def("send", &notifier::send, "message"_a, "Delivers one ReminderMessage, or says why not.");
  py::class_<payment_gateway, py_gateway>(m, "PaymentGateway", R"doc(
Makes refunds; implemented by the host (M-Pesa, a card processor, ...). Subclass it and implement
refund(request) to return a RefundResult; honour request.idempotency_key. Called after the
transaction that decided the refund has committed, never while a store lock is held; an
exception counts as a failure with its text as the error.
)doc")
      .def(py::init<>())
      .def("refund", &payment_gateway::refund, "request"_a,
           "Pays request.amount back on request.transaction_id, or says why not.");

  // --- options, audit --------------------------------------------------------------------------
  m.def(
      "validate", [](const service_options& o) { slotbook::validate(o); }, "options"_a,
      "Checks ServiceOptions; InvalidArgumentError naming the first bad option.");
  m.attr("MAX_TEXT_BYTES") = max_text_bytes;
  m.attr("REDACTED_TEXT") = std::string{redacted_text};
  m.attr("MAX_SERIES_OCCURRENCES") = max_series_occurrences;
  m.attr("MAX_SERIES_SPAN") =
      py::cast(std::chrono::duration_cast<std::chrono::seconds>(max_series_span));
  m.attr("MAX_WAITLIST_RANGE") =
      py::cast(std::chrono::duration_cast<std::chrono::seconds>(max_waitlist_range));
  m.def(
      "to_json", [](const client_data_export& e) { return slotbook::to_json(e); }, "export"_a,
      "The export as JSON text (snake_case keys, ISO-8601 UTC instants, money as "
      "{\"minor\": ..., \"currency\": ...}). It holds health data in the clear.");
  m.def("audit_canonical_text", &slotbook::audit_canonical_text, "entry"_a,
        "The canonical text of an AuditEntry that its hash covers.");
  m.def("audit_hash", &slotbook::audit_hash, "entry"_a,
        "SHA-256 over entry.previous_hash and the canonical text, as 64 lowercase hex digits.");

  py::class_<audit_verifier>(m, "AuditVerifier", R"doc(
Checks audit entries one at a time, in stored order: the engine behind BookingService.verify_audit,
usable on an exported log.

    v = AuditVerifier()
    for e in exported:
        if not v.next(e):
            break
    v.finish().ok
)doc")
      .def(py::init<std::optional<audit_head>>(), "expected"_a = none,
           "With `expected` (an AuditHead), the log must also reach that head.")
      .def("next", &audit_verifier::next, "entry"_a,
           "Checks `entry` against those seen so far; False once a problem is found.")
      .def("finish", &audit_verifier::finish,
           "Call after the last entry: checks the end of the log; returns the AuditVerification.")
      .def_property_readonly("result", &audit_verifier::result, "The outcome so far.")
      .def_property_readonly("head", &audit_verifier::head, "The last good entry seen.");

  // --- events ----------------------------------------------------------------------------------
  py::class_<py_subscription>(m, "Subscription", R"doc(
A live change-event subscription (BookingService.subscribe): the callback is called until reset()
or until the object is collected. Usable as a context manager.
)doc")
      .def("reset", &py_subscription::reset,
           "Unsubscribes now; when it returns the callback is not running and will not run again.")
      .def_property_readonly(
          "active", [](const py_subscription& s) { return s.sub.active(); }, "True until reset.")
      .def(
          "__enter__", [](py_subscription& s) -> py_subscription& { return s; },
          py::return_value_policy::reference)
      .def("__exit__", [](py_subscription& s, const py::object&, const py::object&,
                          const py::object&) { s.reset(); });

  // --- the service -----------------------------------------------------------------------------
  py::class_<py_service>(m, "BookingService", R"doc(
The booking service: every operation of the platform as one storage transaction over the pure
core, so two clients can never book the same time, even from two processes sharing a SQLite file.

    store = SqliteStore("slotbook.db")
    service = BookingService(store, SystemClock(), ServiceOptions(payments=MyGateway()))
    booked = service.book(Actor.client(7), BookingRequest(provider=42, client=7, scheduled_at=t))

Failures raise the slotbook.Error subclass of their class: InvalidArgumentError, NotFoundError,
ForbiddenError, ConflictError (the time is taken, or a stale view), OutsideAvailabilityError,
PolicyError, StorageError. Safe to use from many threads; each call releases the GIL.
)doc")
      .def(py::init([](const py::object& db, const py::object& time, const py::object& options) {
             auto out = std::make_unique<py_service>();
             out->store_object = db;
             out->clock_object = time;
             out->options_object = options.is_none() ? py::cast(service_options{}) : options;
             store& s = db.cast<store&>();
             clock& c = time.cast<clock&>();
             service_options o = out->options_object.cast<service_options>();
             py::gil_scoped_release release;
             out->service = std::make_unique<booking_service>(s, c, std::move(o));
             return out;
           }),
           "store"_a, "clock"_a, "options"_a = none,
           "A service over `store` and `clock` (both kept alive by the service) with `options` "
           "(ServiceOptions; the defaults are the platform's rules). InvalidArgumentError for "
           "invalid options.")
      .def_property_readonly(
          "options", [](const py_service& s) { return s.options_object; },
          "The ServiceOptions it was built with.")
      .def_property_readonly(
          "store", [](const py_service& s) { return s.store_object; }, "The store.")
      .def_property_readonly(
          "clock", [](const py_service& s) { return s.clock_object; }, "The clock.")
      .def(
          "put_provider",
          [](py_service& s, const actor& who, const provider_profile& p) {
            unlocked([&] {
              s.get().put_provider(who, p);
              return 0;
            });
          },
          "who"_a, "profile"_a,
          "Creates or replaces a provider's profile (admin and system for anyone, a provider for "
          "themselves). The schedule and rules are validated.")
      .def(
          "add_provider",
          [](py_service& s, const actor& who, const provider_profile& p) {
            unlocked([&] {
              s.get().add_provider(who, p);
              return 0;
            });
          },
          "who"_a, "profile"_a,
          "Creates a provider's profile, checked as put_provider does; an existing id is "
          "ConflictError, decided inside the write transaction (of two racing creations exactly "
          "one succeeds).")
      .def(
          "provider",
          [](py_service& s, provider_id id) {
            return unlocked([&] { return s.get().provider(id); });
          },
          "id"_a, "The provider's profile (public); NotFoundError if unknown.")
      .def(
          "book",
          [](py_service& s, const actor& who, const booking_request& r) {
            return unlocked([&] { return s.get().book(who, r); });
          },
          "who"_a, "request"_a, R"doc(
Books a session in one write transaction and returns a BookingConfirmation.

Checks, in order: the input (InvalidArgumentError naming the field); access (a client books for
themselves, a provider into their own calendar, admin and system for anyone; else ForbiddenError);
the provider exists (NotFoundError); the client is not blocked for no-shows (PolicyError); the
provider is active and the slot is bookable now (check_bookable: ConflictError when booked,
PolicyError when too soon or too far, OutsideAvailabilityError outside the hours); the client has
no overlapping session (ConflictError "client_busy"). Then the reference is assigned, the session
inserted (pending_payment when the provider charges, else scheduled), reminders queued, the audit
entry appended, and the change event delivered after commit.

    booked = service.book(Actor.client(7), BookingRequest(provider=42, client=7, scheduled_at=t))
    if booked.payment_required:
        start_checkout(booked.booking_reference, booked.amount)
)doc")
      .def(
          "confirm_payment",
          [](py_service& s, const actor& who, session_id id, std::string_view method,
             std::string_view transaction_id) {
            return unlocked(
                [&] { return s.get().confirm_payment(who, id, method, transaction_id); });
          },
          "who"_a, "id"_a, "method"_a, "transaction_id"_a,
          "Records a payment on a pending_payment session (admin or system: the payment "
          "webhook). In time it becomes scheduled; after the hold expired the payment is refunded "
          "in full (PaymentOutcome.REFUNDED_LATE); a repeated webhook is ALREADY_CONFIRMED.")
      .def(
          "update_status",
          [](py_service& s, const actor& who, session_id id, const status_change& c) {
            return unlocked([&] { return s.get().update_status(who, id, c); });
          },
          "who"_a, "id"_a, "change"_a,
          "Moves a session to another status under the lifecycle rules (a StatusChange); a move "
          "to cancelled is cancel() with an empty reason.")
      .def(
          "cancel",
          [](py_service& s, const actor& who, session_id id, std::string_view reason) {
            return unlocked([&] { return s.get().cancel(who, id, reason); });
          },
          "who"_a, "id"_a, "reason"_a = "",
          "Cancels a session under the cancellation policy: reminders dropped, the refund "
          "recorded in the transaction and then paid through the gateway. Returns a "
          "CancellationResult (the decision says why and which tier; refund.state says whether "
          "the gateway paid).")
      .def(
          "reschedule",
          [](py_service& s, const actor& who, session_id id, named<instant, "new_start"> start) {
            return unlocked([&] { return s.get().reschedule(who, id, *start); });
          },
          "who"_a, "id"_a, "new_start"_a,
          "Moves a scheduled or confirmed session to `new_start`: the reschedule policy, then "
          "check_bookable without the old session, then the client's other sessions. Returns the "
          "replaced and the replacement session.")
      .def(
          "book_series",
          [](py_service& s, const actor& who, const series_request& r) {
            return unlocked([&] { return s.get().book_series(who, r); });
          },
          "who"_a, "request"_a, R"doc(
Books a recurring series (a SeriesRequest) in one write transaction and returns a SeriesBooking.

The rule (RRULE text: FREQ=DAILY|WEEKLY|MONTHLY with INTERVAL, COUNT, UNTIL, BYDAY, BYMONTHDAY,
WKST) is expanded in the provider's zone from request.first_start, so every occurrence keeps that
wall-clock time across DST changes. first_start is a naive datetime (a wall-clock time in the
provider's zone) or an aware one (whose wall-clock time in that zone is kept); it must itself be
an occurrence of the rule. A series must end (COUNT or UNTIL) within MAX_SERIES_OCCURRENCES
occurrences and MAX_SERIES_SPAN; otherwise InvalidArgumentError naming `rule`.

Each occurrence is checked as book() checks a session, with the earlier occurrences of the series
counted as booked. SeriesMode.ALL_OR_NOTHING (the default): if any occurrence fails nothing is
booked and the error (the first failing occurrence's class: ConflictError,
OutsideAvailabilityError, PolicyError) lists every failing occurrence with its wall-clock time and
reason. SeriesMode.FREE_ONES: the others are booked and the skipped ones come back with `refused`,
`reason` and `message` (an error when none can be booked). Booked occurrences share a new series
id (Session.series).

    b = service.book_series(Actor.client(7), SeriesRequest(
        provider=42, client=7, first_start=datetime(2026, 3, 2, 9, 0),
        rule="FREQ=WEEKLY;COUNT=10"))
    for o in b.skipped:
        print(o.local_start, o.reason)
)doc")
      .def(
          "preview_series",
          [](py_service& s, const actor& who, const series_request& r) {
            return unlocked([&] { return s.get().preview_series(who, r); });
          },
          "who"_a, "request"_a,
          "What book_series would do now, without booking anything (a read transaction, not "
          "audited): a SeriesBooking whose occurrences have `booked` set (with an empty "
          "reference and session 0) or their reason. The same request errors as book_series.")
      .def(
          "series_sessions",
          [](py_service& s, const actor& who, series_id series) {
            return unlocked([&] { return s.get().series_sessions(who, series); });
          },
          "who"_a, "series"_a,
          "Every session of `series` (any status), by start: its client, its provider, admin, "
          "system. NotFoundError for a series with no sessions.")
      .def(
          "cancel_series",
          [](py_service& s, const actor& who, session_id occurrence, series_scope scope,
             std::string_view reason) {
            return unlocked([&] { return s.get().cancel_series(who, occurrence, scope, reason); });
          },
          "who"_a, "occurrence"_a, "scope"_a, "reason"_a = "", R"doc(
Cancels occurrences of the series the session `occurrence` belongs to, in one write transaction:
SeriesScope.THIS_ONE, THIS_AND_FOLLOWING (it and every later one, by start) or WHOLE_SERIES. Each
is judged by the cancellation policy as cancel() judges a session, with its own notice and refund
(paid through the gateway after commit). Returns a SeriesCancellation listing each occurrence in
the scope as CANCELLED, SKIPPED (already over) or REFUSED (the policy said no; left as it was).
NotFoundError for an unknown session, InvalidArgumentError for one in no series, ForbiddenError
for an actor who may not cancel it.

    c = service.cancel_series(Actor.client(7), session_id, SeriesScope.THIS_AND_FOLLOWING)
    c.cancelled_count
)doc")
      .def(
          "open_group",
          [](py_service& s, const actor& who, const group_request& r) {
            return unlocked([&] { return s.get().open_group(who, r); });
          },
          "who"_a, "request"_a, R"doc(
Opens a group session (a GroupRequest) in one write transaction and returns its
BookingConfirmation: one Session of type GROUP with no client and `capacity` seats, holding the
provider's time as book() would (the same availability, slot-rule and overlap checks and errors).
Each seat costs the provider's price. The provider themselves, admin or system; a capacity
outside 1 to MAX_GROUP_CAPACITY is InvalidArgumentError naming `capacity`.

    g = service.open_group(Actor.provider(42), GroupRequest(provider=42, scheduled_at=t, capacity=8))
    service.book_seat(Actor.client(7), g.session, 7)
)doc")
      .def(
          "book_seat",
          [](py_service& s, const actor& who, session_id group, client_id client) {
            return unlocked([&] { return s.get().book_seat(who, group, client); });
          },
          "who"_a, "group"_a, "client"_a, R"doc(
Books `client` a seat in the group session `group`, in one write transaction, and returns a
SeatConfirmation (the Seat, the group's reference and time, seats taken and capacity). The group
must be scheduled or confirmed and not started; the client must hold no seat in it, must not be
blocked for no-shows, and must have no session or seat at that time (ConflictError
"client_busy"); a full group is ConflictError "group_full". The seat is held at once; record its
payment with confirm_seat_payment(). The client themselves, admin or system.

    s = service.book_seat(Actor.client(7), group_id, 7)
    print(f"{s.seats_taken}/{s.capacity} seats taken")
)doc")
      .def(
          "cancel_seat",
          [](py_service& s, const actor& who, session_id group, client_id client,
             std::string_view reason) {
            return unlocked([&] { return s.get().cancel_seat(who, group, client, reason); });
          },
          "who"_a, "group"_a, "client"_a, "reason"_a = "", R"doc(
Gives up `client`'s seat in `group` under the cancellation policy, judged as a session of the
client's at the group's time (seat_view): its own notice and a refund of what the seat paid,
paid through the gateway after commit. The seat is free again at once. Returns a SeatCancellation.
The client, the group's provider, admin or system.

    c = service.cancel_seat(Actor.client(7), group_id, 7, "travelling")
    c.refund.state
)doc")
      .def(
          "confirm_seat_payment",
          [](py_service& s, const actor& who, session_id group, client_id client,
             std::string_view method, std::string_view transaction_id) {
            return unlocked([&] {
              return s.get().confirm_seat_payment(who, group, client, method, transaction_id);
            });
          },
          "who"_a, "group"_a, "client"_a, "method"_a, "transaction_id"_a, R"doc(
Records the payment of `client`'s seat in `group` (admin or system: the payment webhook) and
returns the Seat as stored. A repeated notification with the same transaction id changes nothing;
a cancelled seat is ConflictError.

    service.confirm_seat_payment(Actor.system(), group_id, 7, "mpesa", "QK7H2XYZ").payment
)doc")
      .def(
          "group_seats",
          [](py_service& s, const actor& who, session_id group) {
            return unlocked([&] { return s.get().group_seats(who, group); });
          },
          "who"_a, "group"_a, R"doc(
Every Seat of `group`, held or cancelled, by id: for the group's provider, admin, system, or a
client who holds a seat in it (who sees only their own seats).

    held = [s.client for s in service.group_seats(Actor.provider(42), group_id) if s.is_active]
)doc")
      .def(
          "join_waitlist",
          [](py_service& s, const actor& who, const waitlist_request& r) {
            return unlocked([&] { return s.get().join_waitlist(who, r); });
          },
          "who"_a, "request"_a, R"doc(
Puts request.client in line for request.provider (a WaitlistRequest) and returns the new
WaitlistEntry, WAITING. Nothing is offered now (a slot free now is booked with book()): offers
follow freed time, first come first served, each held for options.waitlist_offer_hold and
announced by a ChangeKind.WAITLIST_OFFERED event naming the entry. The client themselves, admin
or system; the provider must exist and be active. The range must end after now and be at most
MAX_WAITLIST_RANGE long; the type may not be GROUP.

    e = service.join_waitlist(Actor.client(7), WaitlistRequest(
        provider=42, client=7, range=Interval(monday, saturday), earliest_local=time(17, 0)))
)doc")
      .def(
          "leave_waitlist",
          [](py_service& s, const actor& who, std::int64_t entry) {
            return unlocked([&] { return s.get().leave_waitlist(who, entry); });
          },
          "who"_a, "entry"_a, R"doc(
Takes the entry out of line (WITHDRAWN) and returns it; declining an offer is the same, and the
offered slot goes to the next in line in the same transaction. The entry's client, admin or
system; ConflictError for an entry no longer open.

    service.leave_waitlist(Actor.client(7), entry.id).state  # WaitlistState.WITHDRAWN
)doc")
      .def(
          "accept_offer",
          [](py_service& s, const actor& who, std::int64_t entry) {
            return unlocked([&] { return s.get().accept_offer(who, entry); });
          },
          "who"_a, "entry"_a, R"doc(
Books the slot offered to the entry, as book() would (the provider's rules, the client's own
conflicts and no-show standing), in one write transaction, and returns the BookingConfirmation;
the entry becomes BOOKED. ConflictError when the entry holds no offer or the offer has lapsed.
The entry's client, admin or system.

    booked = service.accept_offer(Actor.client(event.client), event.waitlist_entry)
)doc")
      .def(
          "expire_offers",
          [](py_service& s, std::size_t limit) {
            return unlocked([&] { return s.get().expire_offers(limit); });
          },
          "limit"_a = 1000, R"doc(
Lets waitlist offers whose deadline has passed lapse (as the system), at most `limit`, earliest
deadline first, and offers each slot to the next in line, in one transaction; returns how many
lapsed. expire_holds() does the same in its transaction.

    every_minute(service.expire_offers)
)doc")
      .def(
          "waitlist",
          [](py_service& s, const actor& who, client_id client) {
            return unlocked([&] { return s.get().waitlist(who, client); });
          },
          "who"_a, "client"_a, R"doc(
A client's WaitlistEntry values, open or not, by id: the client themselves, admin, system.

    offered = [e for e in service.waitlist(Actor.client(7), 7) if e.state is WaitlistState.OFFERED]
)doc")
      .def(
          "import_busy",
          [](py_service& s, const actor& who, provider_id provider, std::string source,
             const interval& window, std::vector<busy_time> busy) {
            return unlocked(
                [&] { return s.get().import_busy(who, provider, source, window, busy); });
          },
          "who"_a, "provider"_a, "source"_a, "window"_a, "busy"_a, R"doc(
Stores `busy` (BusyTime values, e.g. import_busy_times(...).busy) as the provider's busy time
from the external calendar `source` (the host's name for it), replacing that source's blocks
overlapping `window` in one transaction, and returns a BusyImport (stored, removed, and the
sessions already booked in the new busy time, which stay booked). Each interval is clipped to the
window. From then on the blocks make slots unavailable and bookings, reschedules, series and
waitlist offers refuse that time (ConflictError naming the calendar). Event summaries are never
stored. The provider themselves, admin or system.

    found = slotbook.import_busy_times(ics_text, "Europe/Berlin", week)
    done = service.import_busy(Actor.provider(42), 42, "google:work", week, found.busy)
)doc")
      .def(
          "busy_blocks",
          [](py_service& s, const actor& who, provider_id provider, const interval& range) {
            return unlocked([&] { return s.get().busy_blocks(who, provider, range); });
          },
          "who"_a, "provider"_a, "range"_a, R"doc(
The provider's stored external busy time (BusyBlock values, every source) overlapping `range`, by
begin: the provider themselves, admin or system.

    for b in service.busy_blocks(Actor.provider(42), 42, week): print(b.source, b.time)
)doc")
      .def(
          "expire_holds",
          [](py_service& s, std::size_t limit) {
            return unlocked([&] { return s.get().expire_holds(limit); });
          },
          "limit"_a = 1000,
          "Cancels unpaid holds whose time ran out (and lets lapsed waitlist offers go to the next "
          "in line, as expire_offers does); returns how many holds.")
      .def(
          "get_session",
          [](py_service& s, const actor& who, session_id id) {
            return unlocked([&] { return s.get().get_session(who, id); });
          },
          "who"_a, "id"_a, "One session, if `who` may see it.")
      .def(
          "find_by_reference",
          [](py_service& s, const actor& who, std::string_view reference) {
            return unlocked([&] { return s.get().find_by_reference(who, reference); });
          },
          "who"_a, "reference"_a, "One session by booking reference, if `who` may see it.")
      .def(
          "my_sessions",
          [](py_service& s, const actor& who, const interval& range) {
            return unlocked([&] { return s.get().my_sessions(who, range); });
          },
          "who"_a, "range"_a, "A client's own sessions overlapping `range`, by start.")
      .def(
          "assigned_sessions",
          [](py_service& s, const actor& who, const interval& range) {
            return unlocked([&] { return s.get().assigned_sessions(who, range); });
          },
          "who"_a, "range"_a, "A provider's own sessions overlapping `range`, by start.")
      .def(
          "client_sessions",
          [](py_service& s, const actor& who, client_id client, const interval& range) {
            return unlocked([&] { return s.get().client_sessions(who, client, range); });
          },
          "who"_a, "client"_a, "range"_a, "A client's sessions (the client, admin, system).")
      .def(
          "provider_sessions",
          [](py_service& s, const actor& who, provider_id provider, const interval& range) {
            return unlocked([&] { return s.get().provider_sessions(who, provider, range); });
          },
          "who"_a, "provider"_a, "range"_a, "A provider's sessions (the provider, admin, system).")
      .def(
          "slots",
          [](py_service& s, provider_id provider, const interval& range) {
            return unlocked([&] { return s.get().slots(provider, range); });
          },
          "provider"_a, "range"_a,
          "The provider's slots starting in `range`, each available or with its reason "
          "(public: no actor). An inactive provider has none.")
      .def(
          "analytics",
          [](py_service& s, const actor& who, provider_id provider, const interval& range) {
            return unlocked([&] { return s.get().analytics(who, provider, range); });
          },
          "who"_a, "provider"_a, "range"_a,
          "SessionAnalytics over the provider's sessions scheduled in `range` (the provider, "
          "admin, system).")
      .def(
          "due_reminders",
          [](py_service& s, std::size_t limit) {
            return unlocked([&] { return s.get().due_reminders(limit); });
          },
          "limit"_a = 100,
          "Claims up to `limit` due reminders for this worker until now + retry.lease; returns "
          "ClaimedReminder values, each with its message ready for a notifier.")
      .def(
          "mark_sent",
          [](py_service& s, const queued_reminder& q) {
            unlocked([&] {
              s.get().mark_sent(q);
              return 0;
            });
          },
          "claimed"_a,
          "Records a delivered reminder; ConflictError when the claim is no longer this "
          "worker's, NotFoundError when it was dropped.")
      .def(
          "mark_failed",
          [](py_service& s, const queued_reminder& q, std::string_view why) {
            return unlocked([&] { return s.get().mark_failed(q, why); });
          },
          "claimed"_a, "error"_a,
          "Records a failed delivery; True when it will be retried (with exponential backoff).")
      .def(
          "run_reminders",
          [](py_service& s, const py::object& n, std::size_t limit) {
            if (n.is_none()) return unlocked([&] { return s.get().run_reminders(limit); });
            notifier& target = n.cast<notifier&>();
            return unlocked([&] { return s.get().run_reminders(target, limit); });
          },
          "notifier"_a = none, "limit"_a = 100,
          "One worker pass: claim, send through `notifier` (default: options.notifications), "
          "mark. Returns a ReminderRun.")
      .def(
          "verify_audit",
          [](py_service& s, const std::optional<audit_head>& expected) {
            return unlocked([&] { return s.get().verify_audit(expected); });
          },
          "expected"_a = none,
          "Walks the whole audit log and reports the first entry edited, deleted or reordered "
          "(an AuditVerification; never raises for a bad log).")
      .def(
          "current_audit_head",
          [](py_service& s) { return unlocked([&] { return s.get().current_audit_head(); }); },
          "The current last audit entry (AuditHead), to keep elsewhere.")
      .def(
          "health", [](py_service& s) { return unlocked([&] { return s.get().health(); }); },
          "Storage reachability and the reminder backlog (a HealthReport). Never raises.")
      .def(
          "create_intake",
          [](py_service& s, const actor& who, client_id client, session_id session) {
            return unlocked([&] { return s.get().create_intake(who, client, session); });
          },
          "who"_a, "client"_a, "session"_a = 0,
          "Starts an empty intake form for `client` (optionally for one of their sessions) under a "
          "new data key; returns its IntakeSummary. The client, admin or system.")
      .def(
          "save_intake_step",
          [](py_service& s, const actor& who, intake_id form, const personal_info_step& step) {
            return unlocked([&] { return s.get().save_intake_step(who, form, step); });
          },
          "who"_a, "form"_a, "step"_a,
          "Validates one wizard step and seals it into the form (options.keys); an invalid step "
          "is InvalidArgumentError naming the field and changes nothing. Returns the "
          "IntakeSummary.")
      .def(
          "save_intake_step",
          [](py_service& s, const actor& who, intake_id form, const mental_health_step& step) {
            return unlocked([&] { return s.get().save_intake_step(who, form, step); });
          },
          "who"_a, "form"_a, "step"_a)
      .def(
          "save_intake_step",
          [](py_service& s, const actor& who, intake_id form, const goals_step& step) {
            return unlocked([&] { return s.get().save_intake_step(who, form, step); });
          },
          "who"_a, "form"_a, "step"_a)
      .def(
          "save_intake_step",
          [](py_service& s, const actor& who, intake_id form, const consent_step& step) {
            return unlocked([&] { return s.get().save_intake_step(who, form, step); });
          },
          "who"_a, "form"_a, "step"_a)
      .def(
          "read_intake",
          [](py_service& s, const actor& who, intake_id form) {
            return unlocked([&] { return s.get().read_intake(who, form); });
          },
          "who"_a, "form"_a,
          "The form decrypted (an IntakeForm), for its client, a provider the client has a "
          "session with, admin or system; every read is audited first. NotFoundError once "
          "deleted, CryptoError for a missing key or tampering.")
      .def(
          "client_intakes",
          [](py_service& s, const actor& who, client_id client) {
            return unlocked([&] { return s.get().client_intakes(who, client); });
          },
          "who"_a, "client"_a, "The client's forms as IntakeSummary values (nothing decrypted).")
      .def(
          "delete_intake",
          [](py_service& s, const actor& who, intake_id form, std::string_view reason) {
            return unlocked([&] { return s.get().delete_intake(who, form, reason); });
          },
          "who"_a, "form"_a, "reason"_a,
          "Crypto-shreds a form (its data key, sealed steps and consents are destroyed); "
          "`reason` is a short category, never health data. Returns an ErasureResult.")
      .def(
          "rotate_intake_keys",
          [](py_service& s, std::size_t batch_size, const rotation_callback& progress) {
            return unlocked([&] { return s.get().rotate_intake_keys(batch_size, progress); });
          },
          "batch_size"_a = 100, "progress"_a = none,
          "Re-wraps every live form's data key under the keyring's newest version, "
          "`batch_size` forms per transaction, calling `progress(RotationProgress)` after each "
          "committed batch; running it again resumes an interrupted run. A RotationReport.")
      .def(
          "secure_delete_session",
          [](py_service& s, const actor& who, session_id id, std::string_view reason) {
            return unlocked([&] { return s.get().secure_delete_session(who, id, reason); });
          },
          "who"_a, "id"_a, "reason"_a,
          "Redacts a finished session's free text to REDACTED_TEXT and marks it deleted; "
          "purge_expired removes it later. An active session is ConflictError.")
      .def(
          "purge_expired",
          [](py_service& s, std::size_t limit) {
            return unlocked([&] { return s.get().purge_expired(limit); });
          },
          "limit"_a = 1000,
          "Removes for good what was deleted more than options.deleted_retention ago; a "
          "PurgeReport. Run it daily.")
      .def(
          "export_client_data",
          [](py_service& s, const actor& who, client_id client) {
            return unlocked([&] { return s.get().export_client_data(who, client); });
          },
          "who"_a, "client"_a,
          "Everything slotbook holds about `client`, intake forms decrypted (audited), as a "
          "ClientDataExport; to_json() turns it into text.")
      .def(
          "subscribe",
          [](py_service& s, const py::function& callback) {
            std::shared_ptr<py::object> target = hold(callback);
            change_callback cb = [target](const change_event& e) {
              py::gil_scoped_acquire gil;
              try {
                (*target)(e);
              } catch (py::error_already_set& err) {
                // The commit has happened; report the callback's failure and go on.
                err.discard_as_unraisable("slotbook change event callback");
              }
            };
            auto out = std::make_unique<py_subscription>();
            out->sub = unlocked([&] { return s.get().subscribe(std::move(cb)); });
            return out;
          },
          "callback"_a, R"doc(
Subscribes `callback(event: ChangeEvent)` to change events and returns the Subscription. Events
are delivered after commit, in commit order, one at a time, on the thread of some operation that
committed; keep the callback quick (hand the event to a queue). An exception in it is reported as
unraisable and does not undo anything.
)doc");
}

}  // namespace slotbook::python

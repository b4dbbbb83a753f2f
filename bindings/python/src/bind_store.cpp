// Storage: the `Store` interface with its transactions, `MemoryStore` and `SqliteStore`. Every call
// runs without the GIL (a write transaction may wait for another writer).

#include <optional>
#include <thread>

#include "bind.hpp"

namespace slotbook::python {

namespace {

/// A transaction opened from Python: a context manager that commits when its block ends normally
/// and rolls back when it raises. Bound to the thread that opened it (stores require that).
struct py_transaction {
  py_transaction(store& s, access mode) : owner(std::this_thread::get_id()) {
    py::gil_scoped_release release;
    tx = std::make_unique<transaction>(s, mode);
  }
  py_transaction(const py_transaction&) = delete;
  py_transaction& operator=(const py_transaction&) = delete;
  ~py_transaction() {
    if (!tx) return;
    if (std::this_thread::get_id() == owner) {
      py::gil_scoped_release release;
      tx.reset();  // rolls back; never throws
    } else {
      // Collected on another thread: the store's lock belongs to the opening thread and cannot
      // be released from here. Leaking the scope is the only safe choice; it is a host bug.
      (void)tx.release();
    }
  }

  void check_thread() const {
    if (std::this_thread::get_id() != owner) {
      throw error(errc::storage, "transaction: used on another thread than the one that opened it");
    }
  }
  void commit() {
    check_thread();
    if (!tx) throw error(errc::storage, "transaction: already committed or rolled back");
    py::gil_scoped_release release;
    const std::unique_ptr<transaction> t = std::move(tx);
    t->commit();
  }
  void rollback() {
    check_thread();
    py::gil_scoped_release release;
    tx.reset();
  }
  bool open() const { return tx != nullptr; }

  std::unique_ptr<transaction> tx;
  std::thread::id owner;
};

template <class F>
auto unlocked(F&& f) {
  py::gil_scoped_release release;
  return f();
}

}  // namespace

void bind_store(py::module_& m) {
  using namespace pybind11::literals;
  using no_gil = py::call_guard<py::gil_scoped_release>;

  py::class_<py_transaction>(m, "Transaction", R"doc(
A store transaction. Use it as a context manager: the block's changes are committed when it ends
normally and rolled back when it raises. Every data method of a store must run inside one, on the
thread that opened it; transactions do not nest.

    with store.transaction(Access.WRITE):
        store.insert_session(session)
)doc")
      .def("commit", &py_transaction::commit,
           "Makes the changes durable; after a failed commit the transaction is rolled back.")
      .def("rollback", &py_transaction::rollback, "Undoes everything since the transaction began.")
      .def_property_readonly("open", &py_transaction::open, "True until committed or rolled back.")
      .def(
          "__enter__", [](py_transaction& t) -> py_transaction& { return t; },
          py::return_value_policy::reference)
      .def("__exit__",
           [](py_transaction& t, const py::object& type, const py::object&, const py::object&) {
             if (!t.open()) return false;
             if (type.is_none()) {
               t.commit();
             } else {
               t.rollback();
             }
             return false;
           });

  py::class_<store>(m, "Store", R"doc(
The storage interface the booking service reads and writes through (MemoryStore, SqliteStore).
Hosts normally use BookingService; the methods here are for tools, migrations and tests, and each
must be called inside `store.transaction(...)`.
)doc")
      .def(
          "transaction",
          [](store& s, access mode) { return std::make_unique<py_transaction>(s, mode); }, "mode"_a,
          py::keep_alive<0, 1>(),
          "Opens a transaction on this thread (blocks while another writer holds the store, up to "
          "the store's timeout, then StorageError). `mode` is Access.READ or Access.WRITE.")
      .def("find_session", &store::find_session, "id"_a, no_gil(),
           "The session with this id, or None.")
      .def("find_session_by_reference", &store::find_session_by_reference, "reference"_a, no_gil(),
           "The session with this booking reference, or None.")
      .def("provider_sessions", &store::provider_sessions, "provider"_a, "range"_a, no_gil(),
           "Sessions of `provider` whose booked time overlaps `range`, any status, by start.")
      .def("client_sessions", &store::client_sessions, "client"_a, "range"_a, no_gil(),
           "Sessions of `client` whose booked time overlaps `range`, any status, by start.")
      .def("active_provider_sessions", &store::active_provider_sessions, "provider"_a, "range"_a,
           no_gil(), "Non-terminal sessions of `provider` overlapping `range`, by start.")
      .def("active_client_sessions", &store::active_client_sessions, "client"_a, "range"_a,
           no_gil(), "Non-terminal sessions of `client` overlapping `range`, by start.")
      .def(
          "pending_holds",
          [](store& s, named<instant, "created_by"> created_by, std::size_t limit) {
            return unlocked([&] { return s.pending_holds(*created_by, limit); });
          },
          "created_by"_a, "limit"_a,
          "pending_payment sessions created at or before `created_by`, oldest first.")
      .def("insert_session", &store::insert_session, "session"_a, no_gil(),
           "Stores a new session and returns its id (assigned when the session's id is 0).")
      .def("update_session", &store::update_session, "session"_a, no_gil(),
           "Replaces the stored session with the same id; NotFoundError when there is none.")
      .def("next_reference_sequence", &store::next_reference_sequence, "year"_a, no_gil(),
           "The next booking-reference sequence for `year`.")
      .def("put_provider", &store::put_provider, "profile"_a, no_gil(),
           "Creates or replaces a provider's profile.")
      .def("find_provider", &store::find_provider, "id"_a, no_gil(),
           "A provider's profile, or None.")
      .def("provider_ids", &store::provider_ids, no_gil(), "Every provider id, ascending.")
      .def(
          "enqueue_reminders",
          [](store& s, const std::vector<reminder>& reminders, client_id client) {
            return unlocked([&] { return s.enqueue_reminders(reminders, client); });
          },
          "reminders"_a, "client"_a, "Queues reminders for `client`; returns the new queue ids.")
      .def("remove_reminders", &store::remove_reminders, "session"_a, no_gil(),
           "Drops a session's pending and claimed reminders; returns how many.")
      .def(
          "claim_due_reminders",
          [](store& s, named<instant, "now"> now, std::size_t limit,
             named<instant, "lease_until"> lease_until) {
            return unlocked([&] { return s.claim_due_reminders(*now, limit, *lease_until); });
          },
          "now"_a, "limit"_a, "lease_until"_a,
          "Claims up to `limit` reminders due at `now` until `lease_until`.")
      .def("update_reminder", &store::update_reminder, "reminder"_a, no_gil(),
           "Replaces a queued reminder's state fields.")
      .def("find_reminder", &store::find_reminder, "id"_a, no_gil(), "A queued reminder, or None.")
      .def("session_reminders", &store::session_reminders, "session"_a, no_gil(),
           "Every queued reminder of a session, by due time.")
      .def(
          "backlog",
          [](store& s, named<instant, "now"> now) {
            return unlocked([&] { return s.backlog(*now); });
          },
          "now"_a, "The reminder queue's health at `now`.")
      .def("append_audit", &store::append_audit, "entry"_a, no_gil(),
           "Appends an audit entry and returns its sequence number.")
      .def("last_audit", &store::last_audit, no_gil(), "The audit entry with the highest sequence.")
      .def("audit_entries", &store::audit_entries, "after"_a = 0, "limit"_a = 1000, no_gil(),
           "Audit entries with sequence > `after`, ascending, at most `limit`.")
      .def("next_intake_id", &store::next_intake_id, no_gil(),
           "A new intake form id, above every id stored or handed out before.")
      .def("put_intake", &store::put_intake, "intake"_a, no_gil(),
           "Creates or replaces the StoredIntake with id intake.form.id.")
      .def("find_intake", &store::find_intake, "id"_a, no_gil(),
           "The StoredIntake with this id, deleted or not, or None.")
      .def("client_intakes", &store::client_intakes, "client"_a, no_gil(),
           "Every StoredIntake of `client`, deleted ones included, by id.")
      .def("intakes_to_rotate", &store::intakes_to_rotate, "version"_a, "after"_a, "limit"_a,
           no_gil(),
           "Live forms whose data key is wrapped under a version other than `version`, with an "
           "id above `after`, by id, at most `limit`.")
      .def(
          "purge_intakes",
          [](store& s, named<instant, "deleted_before"> before, std::size_t limit) {
            return unlocked([&] { return s.purge_intakes(*before, limit); });
          },
          "deleted_before"_a, "limit"_a,
          "Removes for good up to `limit` forms deleted before `deleted_before`; their ids.")
      .def("mark_session_deleted", &store::mark_session_deleted, "deletion"_a, no_gil(),
           "Marks a session deleted (a SessionDeletion); NotFoundError for no such session.")
      .def("find_session_deletion", &store::find_session_deletion, "id"_a, no_gil(),
           "The deletion mark of a session, or None.")
      .def(
          "purge_sessions",
          [](store& s, named<instant, "deleted_before"> before, std::size_t limit) {
            return unlocked([&] { return s.purge_sessions(*before, limit); });
          },
          "deleted_before"_a, "limit"_a,
          "Removes for good up to `limit` sessions marked deleted before `deleted_before`.")
      .def("insert_seat", &store::insert_seat, "seat"_a, no_gil(),
           "Stores a new Seat and returns its id (the store assigns it); InvalidArgumentError "
           "for an invalid seat, NotFoundError when its session is not a stored group session, "
           "ConflictError when the client already holds an active seat in it.")
      .def("update_seat", &store::update_seat, "seat"_a, no_gil(),
           "Replaces the stored Seat with the same id (same session and client).")
      .def("session_seats", &store::session_seats, "session"_a, no_gil(),
           "Every Seat of a group session, active or not, by id.")
      .def("active_client_group_sessions", &store::active_client_group_sessions, "client"_a,
           "range"_a, no_gil(),
           "Non-terminal group sessions overlapping `range` in which `client` holds an active "
           "seat, by start, then id.")
      .def("insert_waitlist_entry", &store::insert_waitlist_entry, "entry"_a, no_gil(),
           "Stores a new WaitlistEntry and returns its id (ids grow with join order).")
      .def("update_waitlist_entry", &store::update_waitlist_entry, "entry"_a, no_gil(),
           "Replaces the stored WaitlistEntry with the same id (same provider and client).")
      .def("find_waitlist_entry", &store::find_waitlist_entry, "id"_a, no_gil(),
           "The WaitlistEntry with this id, or None.")
      .def("open_waitlist_entries", &store::open_waitlist_entries, "provider"_a, "range"_a,
           no_gil(),
           "The waiting or offered entries of `provider` whose range overlaps `range`, in line "
           "order (joined_at, then id).")
      .def(
          "due_offers",
          [](store& s, named<instant, "now"> now, std::size_t limit) {
            return unlocked([&] { return s.due_offers(*now, limit); });
          },
          "now"_a, "limit"_a,
          "Offered entries whose deadline is at or before `now`, earliest first, at most "
          "`limit`.")
      .def("client_waitlist", &store::client_waitlist, "client"_a, no_gil(),
           "Every WaitlistEntry of `client`, open or not, by id.")
      .def("scrub", &store::scrub, no_gil(),
           "Makes removed bytes unrecoverable from the store's files (outside a transaction); "
           "False when it could not finish.")
      .def("reachable", &store::reachable, no_gil(),
           "True when the backing storage answers a trivial query. Never raises.");

  py::class_<memory_store, store>(m, "MemoryStore", R"doc(
A Store held in process memory: the fast embedded default for tests and single-process hosts.
Write transactions are serialised by one lock; nothing survives the object.

    store = MemoryStore(lock_timeout=timedelta(seconds=1))
)doc")
      .def(py::init([](named<std::chrono::milliseconds, "lock_timeout"> timeout) {
             return std::make_unique<memory_store>(memory_store_options{*timeout});
           }),
           "lock_timeout"_a = std::chrono::milliseconds{5000},
           "`lock_timeout`: how long a transaction waits for the store's lock before StorageError.")
      .def("__repr__", [](const memory_store&) { return std::string{"MemoryStore()"}; });

  py::class_<sqlite_store, store>(m, "SqliteStore", R"doc(
A Store on a SQLite database file (WAL, synchronous=FULL, BEGIN IMMEDIATE for writes): an
acknowledged booking survives a crash, and several threads and processes may share one file.

    store = SqliteStore("/var/lib/myapp/slotbook.db")
    store = SqliteStore(":memory:")   # a private in-memory database
)doc")
      .def(
          py::init([](const py::object& path, named<std::chrono::milliseconds, "busy_timeout"> busy,
                      bool read_only, std::size_t max_connections) {
            std::string p = py::str(py::module_::import("os").attr("fspath")(path));
            sqlite_store_options o;
            o.busy_timeout = *busy;
            o.read_only = read_only;
            o.max_connections = max_connections;
            py::gil_scoped_release unlock;
            return std::make_unique<sqlite_store>(std::move(p), o);
          }),
          "path"_a, "busy_timeout"_a = std::chrono::milliseconds{5000}, "read_only"_a = false,
          "max_connections"_a = 8,
          "Opens or creates the database at `path` (str or os.PathLike; ':memory:' for a private "
          "in-memory one) and brings its schema up to date. StorageError naming the path when "
          "it cannot be opened, is not a slotbook database, is corrupt or has a newer schema.")
      .def_property_readonly("path", &sqlite_store::path, "The path the store was opened with.")
      .def("settings", &sqlite_store::settings, no_gil(),
           "What a connection runs with (journal mode, synchronous, ...), as SQLite reports it.")
      .def("integrity_check", &sqlite_store::integrity_check, no_gil(),
           "PRAGMA integrity_check: 'ok', or SQLite's list of problems.")
      .def("__repr__",
           [](const sqlite_store& s) { return fmt::format("SqliteStore('{}')", s.path()); });

  m.attr("SQLITE_SCHEMA_VERSION") = sqlite_schema_version;
  m.attr("SQLITE_APPLICATION_ID") = sqlite_application_id;
  m.def(
      "sqlite_schema_steps",
      [] {
        std::vector<std::string> out;
        for (std::string_view step : slotbook::sqlite_schema_steps()) out.emplace_back(step);
        return out;
      },
      "The schema's migration steps as SQL: step i upgrades version i to i + 1.");
}

}  // namespace slotbook::python

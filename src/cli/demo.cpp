// `slotbook demo`: a small clinic's fortnight, narrated. Three psychologists in three time zones,
// a dozen clients, bookings, collisions on purpose, cancellations inside and outside the notice
// window, a reschedule, reminders, a week of sessions, a weekly series, a group session, the
// waitlist, analytics and the audit chain (including what happens when someone edits it behind
// slotbook's back). It runs on a simulated clock, so a fortnight takes a second or two.

#include <algorithm>
#include <array>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <SQLiteCpp/Database.h>
#include <fmt/format.h>

#include "cli.hpp"
#include "json_convert.hpp"
#include "output.hpp"
#include "slotbook/detail/quote.hpp"

namespace slotbook::cli {

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// Prints the story, or nothing with --json (which prints one summary document at the end).
class narrator {
 public:
  explicit narrator(bool quiet) : quiet_(quiet) {}

  template <class... Args>
  void say(fmt::format_string<Args...> format, Args&&... args) {
    if (!quiet_) fmt::print("{}\n", fmt::format(format, std::forward<Args>(args)...));
  }

  void chapter(std::string_view title) {
    ++chapter_;
    if (!quiet_) fmt::print("\n{}. {}\n", chapter_, title);
  }

 private:
  bool quiet_;
  int chapter_ = 0;
};

// A payment provider that always pays refunds, and says so.
class demo_gateway final : public payment_gateway {
 public:
  explicit demo_gateway(narrator& n) : say_(&n) {}
  refund_result refund(const refund_request& r) override {
    ++refunds_;
    const std::string reference = fmt::format("RF-{:04}", refunds_);
    say_->say("   [payment gateway] {} paid back on transaction {} ({}), key {}",
              to_string(r.amount), r.transaction_id, reference, r.idempotency_key);
    return refund_result::ok(reference);
  }

 private:
  narrator* say_;
  int refunds_ = 0;
};

struct person {
  client_id id;
  std::string name;
};

// Sends reminders by "email": prints them while `loud`, counts them always.
class demo_notifier final : public notifier {
 public:
  demo_notifier(narrator& n, const std::vector<person>& clients) : say_(&n), clients_(&clients) {}
  delivery send(const reminder_message& m) override {
    ++sent_;
    if (loud) {
      say_->say("   [email to {}] Your session with {} ({}) starts in {}.", name_of(m.client),
                m.provider_name, m.booking_reference, reminder_label(m.before));
    }
    return delivery::ok();
  }
  std::string name_of(client_id id) const {
    for (const person& p : *clients_) {
      if (p.id == id) return p.name;
    }
    return fmt::format("client {}", id.value);
  }

  bool loud = true;
  int sent_ = 0;

 private:
  narrator* say_;
  const std::vector<person>* clients_;
};

struct demo_provider {
  provider_profile profile;
  std::string short_name;
  const date::time_zone* zone = nullptr;
};

// Where the demo's database lives: a fresh temporary directory (removed afterwards) unless --db
// names a file, which must not exist yet (the demo never touches real data).
class demo_database {
 public:
  explicit demo_database(const context& ctx) {
    if (ctx.db_given) {
      std::error_code ec;
      if (fs::exists(ctx.db_path, ec)) {
        throw error(errc::conflict,
                    fmt::format("--db: {} exists; the demo only writes a new database",
                                detail::quote(ctx.db_path, 256)));
      }
      path_ = ctx.db_path;
      return;
    }
    std::string pattern = (fs::temp_directory_path() / "slotbook-demo-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      throw error(errc::storage, "demo: cannot create a temporary directory");
    }
    directory_ = pattern;
    path_ = (fs::path{pattern} / "clinic.db").string();
  }
  ~demo_database() {
    if (!directory_.empty()) {
      std::error_code ec;
      fs::remove_all(directory_, ec);
    }
  }
  demo_database(const demo_database&) = delete;
  demo_database& operator=(const demo_database&) = delete;

  const std::string& path() const noexcept { return path_; }
  bool temporary() const noexcept { return !directory_.empty(); }

 private:
  std::string directory_;
  std::string path_;
};

class clinic_demo {
 public:
  clinic_demo(const context& ctx, const std::string& path, bool temporary)
      : say_(ctx.json),
        clock_(ctx.now ? *ctx.now : system_clock{}.now()),
        store_(path),
        gateway_(say_),
        notifier_(say_, clients_),
        service_(store_, clock_, options()),
        path_(path),
        temporary_(temporary) {}

  json run() {
    const auto events = service_.subscribe([this](const change_event& e) {
      ++events_;
      // Kept to be told after the call that made the offer: the narration of that call comes
      // first.
      if (e.kind == change_kind::waitlist_offered) offers_.push_back(e);
    });
    open_clinic();
    browse();
    book_everyone();
    collide();
    cancel_early();
    day_before();
    week_of_sessions();
    weekly_series();
    group_session();
    waitlist();
    report_analytics();
    check_audit();
    return summary();
  }

 private:
  struct booked {
    std::size_t client;
    std::size_t provider;
    booking_confirmation confirmation;
  };

  service_options options() {
    service_options o;
    o.payments = &gateway_;
    o.notifications = &notifier_;
    return o;
  }

  // --- time ----------------------------------------------------------------------------------

  instant at(const demo_provider& p, int day_offset, std::string_view hhmm) const {
    const date::year_month_day day{monday_ + date::days{day_offset}};
    return to_instant(day, parse_time_of_day(hhmm), *p.zone);
  }

  void advance_to(instant t) {
    clock_.set(t);
    say_.say("   (The clock moves on: it is now {}.)", format_instant(t));
  }

  // --- booking helpers -------------------------------------------------------------------------

  std::string when(const demo_provider& p, instant start) const {
    return local_span({start, start + p.profile.rules.duration}, *p.zone);
  }

  std::optional<booking_confirmation> book(const person& c, const demo_provider& p, instant start) {
    booking_request r;
    r.provider = p.profile.id;
    r.client = c.id;
    r.scheduled_at = start;
    r.duration = p.profile.rules.duration;
    try {
      const booking_confirmation b = service_.book(actor::client(c.id), r);
      say_.say("   {} books {} for {}: {}, {} to pay.", c.name, p.short_name, when(p, start),
               b.booking_reference, to_string(b.amount));
      ++booked_;
      return b;
    } catch (const error& e) {
      refuse(e);
      return std::nullopt;
    }
  }

  void refuse(const error& e) {
    say_.say("   Refused ({}, exit code {} on the command line): {}", to_string(e.code()),
             exit_code_for(e.code()), e.what());
    refused_.push_back(std::string{to_string(e.code())});
  }

  // --- the story -------------------------------------------------------------------------------

  void open_clinic() {
    const instant now = clock_.now();
    const date::sys_days today = date::floor<date::days>(now);
    // The Monday at least three days away: far enough for the 24 h booking notice, close enough
    // that the whole fortnight is inside the 30-day booking horizon.
    monday_ = today + date::days{3};
    while (date::weekday{monday_} != date::Monday) monday_ += date::days{1};

    say_.say("slotbook demo: a small online therapy clinic over two weeks, on a simulated clock.");
    say_.say("Database: {}{}", path_, temporary_ ? " (temporary, removed at the end)" : "");
    say_.say("It is {} (UTC). The fortnight starts on Monday {}.", format_instant(now),
             format_date(date::year_month_day{monday_}));

    say_.chapter("Three psychologists, three time zones");
    auto kamau =
        make_provider(1, "Dr. Wanjiru Kamau", "Dr. Kamau", "Africa/Nairobi", money::kes(150000));
    for (unsigned d = 1; d <= 5; ++d) {
      kamau.profile.hours.windows.push_back({date::weekday{d}, 9h, 13h});
      kamau.profile.hours.windows.push_back({date::weekday{d}, 14h, 17h});
    }
    kamau.profile.hours.exceptions.push_back(date_exception::closed(day(9), "public holiday"));

    auto hart = make_provider(2, "Dr. Amelia Hart", "Dr. Hart", "Europe/London",
                              money{8000, currency::parse("GBP")});
    for (unsigned d : {1U, 3U, 4U}) {
      hart.profile.hours.windows.push_back({date::weekday{d}, 8h, 12h});
      hart.profile.hours.windows.push_back({date::weekday{d}, 13h, 17h});
    }
    hart.profile.rules.duration = 50min;
    hart.profile.rules.step = 60min;
    hart.profile.rules.buffer_after = 10min;
    hart.profile.hours.exceptions.push_back(
        date_exception::custom(day(3), {{8h, 10h}}, "half day: teaching"));

    auto reyes = make_provider(3, "Dr. Sofia Reyes", "Dr. Reyes", "America/New_York",
                               money{12000, currency::parse("USD")});
    for (unsigned d = 2; d <= 6; ++d) {
      reyes.profile.hours.windows.push_back({date::weekday{d}, 10h, 18h});
    }
    reyes.profile.rules.step = 30min;
    reyes.profile.hours.exceptions.push_back(date_exception::closed(day(5), "conference"));

    providers_ = {std::move(kamau), std::move(hart), std::move(reyes)};
    const actor admin = actor::admin(admin_id{1});
    for (const demo_provider& p : providers_) {
      service_.put_provider(admin, p.profile);
      say_.say("   {} works in {} ({}), {} a session of {} min.", p.profile.name, p.zone->name(),
               to_civil(clock_.now(), *p.zone).abbreviation, to_string(p.profile.price),
               p.profile.rules.duration.count());
    }
    say_.say("   Dr. Kamau: weekdays 09:00-13:00 and 14:00-17:00, closed {} (public holiday).",
             format_date(day(9)));
    say_.say(
        "   Dr. Hart: Mon, Wed, Thu 08:00-12:00 and 13:00-17:00, 10 min to write notes after "
        "each session;");
    say_.say("             only 08:00-10:00 on Thursday {} (teaching).", format_date(day(3)));
    say_.say("   Dr. Reyes: Tuesday to Saturday 10:00-18:00, a session may start every half hour;");
    say_.say("              closed Saturday {} (conference).", format_date(day(5)));
    say_.say(
        "   Each works in local wall-clock time; slotbook stores UTC and converts with the tz "
        "database (DST included).");

    const std::array<const char*, 12> names{"Amina", "Brian", "Chloe", "David", "Esther",  "Farid",
                                            "Grace", "Hiro",  "Imani", "Jonas", "Kalinda", "Leila"};
    for (std::size_t i = 0; i < names.size(); ++i) {
      clients_.push_back({client_id{101 + i}, names[i]});
    }
    say_.say("   Twelve clients (ids 101 to 112): {}.", fmt::join(names, ", "));
  }

  demo_provider make_provider(std::uint64_t id, std::string name, std::string short_name,
                              std::string zone, money price) {
    demo_provider p;
    p.profile.id = provider_id{id};
    p.profile.name = std::move(name);
    p.profile.hours.zone = std::move(zone);
    p.profile.price = price;
    p.short_name = std::move(short_name);
    p.zone = &find_zone(p.profile.hours.zone);
    return p;
  }

  date::year_month_day day(int offset) const {
    return date::year_month_day{monday_ + date::days{offset}};
  }

  void show_day(const demo_provider& p, int offset) {
    const date::time_zone& zone = *p.zone;
    const instant begin = to_instant(day(offset), 0min, zone);
    const instant end = to_instant(day(offset + 1), 0min, zone);
    std::vector<std::string> shown;
    for (const slot& s : service_.slots(p.profile.id, {begin, end})) {
      const auto start = to_civil(s.time.begin, zone).time_of_day;
      const std::string hm =
          format_time_of_day(std::chrono::duration_cast<std::chrono::minutes>(start));
      shown.push_back(s.available ? hm : fmt::format("{}({})", hm, to_string(s.reason)));
    }
    say_.say("   {} on {}: {}", p.short_name, local_time(begin, zone).substr(0, 14),
             shown.empty() ? std::string{"no slots"} : fmt::format("{}", fmt::join(shown, " ")));
  }

  void browse() {
    say_.chapter("Clients look at the calendars");
    say_.say(
        "   Slots are computed from the hours, the exceptions and existing bookings; each says");
    say_.say("   whether it can be booked and, if not, why.");
    show_day(providers_[0], 0);
    show_day(providers_[0], 9);
    show_day(providers_[1], 3);
  }

  void book_everyone() {
    say_.chapter("A dozen bookings");
    struct plan {
      std::size_t client;
      std::size_t provider;
      int day;
      const char* time;
    };
    const std::array<plan, 12> plans{{{0, 0, 0, "10:00"},
                                      {1, 0, 0, "11:00"},
                                      {2, 1, 0, "13:00"},
                                      {3, 2, 1, "10:00"},
                                      {4, 2, 1, "11:00"},
                                      {5, 1, 2, "10:00"},
                                      {6, 0, 1, "09:00"},
                                      {7, 2, 2, "14:30"},
                                      {8, 0, 2, "15:00"},
                                      {9, 1, 3, "09:00"},
                                      {10, 2, 4, "16:30"},
                                      {11, 0, 3, "10:00"}}};
    for (const plan& p : plans) {
      const demo_provider& who = providers_[p.provider];
      if (auto b = book(clients_[p.client], who, at(who, p.day, p.time))) {
        bookings_.push_back({p.client, p.provider, *b});
      }
    }
    say_.say("   Each booking holds its time for 15 minutes while the client pays.");
    say_.say(
        "   The payment webhook reports eleven payments (M-Pesa in Nairobi, cards elsewhere);");
    say_.say("   Leila never pays.");
    for (const booked& b : bookings_) {
      if (b.client == 11) continue;
      (void)service_.confirm_payment(actor::system(), b.confirmation.session,
                                     b.provider == 0 ? "mpesa" : "card",
                                     fmt::format("TX{:06}", b.confirmation.session.value * 7919));
    }
    say_.say(
        "   Eleven sessions are now scheduled, each with reminders queued for 24 h, 2 h and "
        "15 min before.");
    show_day(providers_[0], 0);
  }

  void collide() {
    say_.chapter("Collisions, on purpose");
    const demo_provider& kamau = providers_[0];
    const demo_provider& hart = providers_[1];
    const demo_provider& reyes = providers_[2];
    say_.say("   Esther wants Amina's time with Dr. Kamau:");
    book(clients_[4], kamau, at(kamau, 0, "10:00"));
    say_.say(
        "   Hiro wants Dr. Reyes at 10:30, half way through David's session (the old platform");
    say_.say("   only looked for sessions *starting* inside the new one, and let this through):");
    book(clients_[7], reyes, at(reyes, 1, "10:30"));
    const instant chloe = at(hart, 0, "13:00");
    say_.say("   Chloe tries to see Dr. Kamau at {} in Nairobi, the very moment of her session",
             local_time(chloe, *kamau.zone).substr(15));
    say_.say("   with Dr. Hart in London ({}):", local_time(chloe, *hart.zone).substr(15));
    book(clients_[2], kamau, chloe);
    say_.say("   Grace asks for 07:00, before Dr. Kamau's day starts:");
    book(clients_[6], kamau, at(kamau, 0, "07:00"));
    say_.say("   Jonas asks for 11:00 on Dr. Hart's half day:");
    book(clients_[9], hart, at(hart, 3, "11:00"));
    say_.say("   Imani asks for a session five weeks away (bookings open 30 days ahead):");
    book(clients_[8], kamau, at(kamau, 35, "10:00"));
    say_.say("   None of these changed anything but the audit log, which records every refusal.");
  }

  const booked& booking_of(std::size_t client) const {
    return *std::find_if(bookings_.begin(), bookings_.end(),
                         [&](const booked& b) { return b.client == client; });
  }

  void cancel_early() {
    say_.chapter("A cancellation with plenty of notice");
    const booked& farid = booking_of(5);
    say_.say("   Farid cancels his session with Dr. Hart ({}) days ahead:",
             farid.confirmation.booking_reference);
    const cancellation_result r =
        service_.cancel(actor::client(clients_[5].id), farid.confirmation.session, "travelling");
    say_.say("   Allowed ({}, {} h notice): {} refunded in full.", to_string(r.decision.reason),
             r.decision.notice.count() / 3600, to_string(r.refund.amount));
  }

  void day_before() {
    const booked& amina = booking_of(0);
    const instant start = amina.confirmation.scheduled_at;
    say_.chapter("The evening before the first sessions");
    advance_to(start - 12h);

    say_.say("   Amina tries to cancel her session 12 hours before it starts:");
    try {
      service_.cancel(actor::client(clients_[0].id), amina.confirmation.session, "changed my mind");
    } catch (const error& e) {
      refuse(e);
    }
    say_.say(
        "   Dr. Kamau is unwell and cancels Brian's session; a provider may cancel at any "
        "time and the client gets everything back:");
    const booked& brian = booking_of(1);
    const cancellation_result c = service_.cancel(actor::provider(providers_[0].profile.id),
                                                  brian.confirmation.session, "provider unwell");
    say_.say("   Cancelled ({}): {} refunded.", to_string(c.decision.reason),
             to_string(c.refund.amount));

    const booked& esther = booking_of(4);
    const demo_provider& reyes = providers_[2];
    say_.say("   Esther moves her session with Dr. Reyes to Thursday 11:30:");
    const reschedule_confirmation m = service_.reschedule(
        actor::client(clients_[4].id), esther.confirmation.session, at(reyes, 3, "11:30"));
    say_.say("   Done: {} is cancelled as rescheduled; the new booking is {} ({}), paid already.",
             m.replaced.booking_reference, m.replacement.booking_reference,
             when(reyes, m.replacement.scheduled_at));

    say_.say(
        "   Leila never paid; her hold lapsed after 15 minutes (the time was free again at "
        "once).");
    const std::size_t expired = service_.expire_holds();
    say_.say("   The hold-expiry job tidies up: {} hold cancelled.", expired);

    say_.say("   Amina confirms she will attend.");
    status_change confirm{session_status::confirmed};
    service_.update_status(actor::client(clients_[0].id), amina.confirmation.session, confirm);

    say_.say("   The reminder worker runs:");
    const reminder_run run = service_.run_reminders(notifier_);
    say_.say("   {} reminder{} sent.", run.sent, run.sent == 1 ? "" : "s");
  }

  void week_of_sessions() {
    say_.chapter("The first week happens");
    struct event {
      instant t;
      session_id id;
      session_status to;
      provider_id by;
    };
    std::vector<event> events;
    const instant week_end = to_instant(day(7), 0min, *providers_[0].zone);
    std::vector<session> week;
    for (const demo_provider& p : providers_) {
      for (const session& s : service_.provider_sessions(actor::admin(admin_id{1}), p.profile.id,
                                                         {clock_.now(), week_end})) {
        if (s.status != session_status::scheduled && s.status != session_status::confirmed) {
          continue;
        }
        week.push_back(s);
        if (s.client == clients_[2].id) {  // Chloe forgets
          events.push_back({s.scheduled_at + 20min, s.id, session_status::no_show, s.provider});
        } else {
          events.push_back({s.scheduled_at + 2min, s.id, session_status::in_progress, s.provider});
          events.push_back(
              {s.scheduled_at + s.duration - 5min, s.id, session_status::completed, s.provider});
        }
      }
    }
    std::stable_sort(events.begin(), events.end(),
                     [](const event& a, const event& b) { return a.t < b.t; });
    notifier_.loud = false;
    const int reminders_before = notifier_.sent_;
    for (const event& e : events) {
      clock_.set(e.t);
      service_.run_reminders(notifier_);  // whatever fell due meanwhile goes out first
      const session s = service_.update_status(actor::provider(e.by), e.id, {e.to}).updated;
      if (e.to == session_status::in_progress) continue;
      const demo_provider& p = provider(s.provider);
      say_.say("   {} {}: {} with {} ({}).", when(p, s.scheduled_at), p.short_name,
               e.to == session_status::completed ? "completed" : "no-show",
               notifier_.name_of(s.client), s.booking_reference);
    }
    say_.say(
        "   Along the way the worker sent {} more reminders (24 h, 2 h and 15 min before "
        "each session).",
        notifier_.sent_ - reminders_before);
    say_.say("   Chloe's no-show keeps her fee (the default no-show policy keeps 100 %).");
  }

  // --- the second week: a series, a group, the waitlist ----------------------------------------

  void weekly_series() {
    say_.chapter("Weekly therapy: a series booked in one go");
    const demo_provider& hart = providers_[1];
    // Saturday noon in London: after the first week's last session everywhere, and more than a
    // day before the next Monday, so the booking notice is met.
    const instant saturday = at(hart, 5, "12:00");
    if (clock_.now() < saturday) advance_to(saturday);
    const person& amina = clients_[0];
    say_.say("   Amina starts weekly sessions with Dr. Hart: four Mondays at 09:00 London time,");
    say_.say("   booked all-or-nothing (if any week cannot be booked, none is).");
    series_request r;
    r.provider = hart.profile.id;
    r.client = amina.id;
    r.first_start = date::local_days{day(7)} + 9h;
    r.rule = "FREQ=WEEKLY;COUNT=4";
    r.duration = hart.profile.rules.duration;
    r.mode = series_mode::all_or_nothing;
    const series_booking b = service_.book_series(actor::client(amina.id), r);
    series_ = b.series;
    for (const series_occurrence& o : b.occurrences) {
      say_.say("   week {}: {} {}", o.index + 1, when(hart, o.time.begin),
               o.booked ? o.booked->booking_reference : std::string{"not booked"});
      if (o.booked) series_sessions_.push_back(o.booked->session);
    }
    say_.say("   Series {}: {} of {} sessions booked ({}), linked by the series id.",
             b.series.value, b.booked_count(), b.occurrences.size(), to_string(b.mode));
    for (const session_id id : series_sessions_) {
      (void)service_.confirm_payment(actor::system(), id, "card",
                                     fmt::format("TX{:06}", id.value * 7919));
    }
    say_.say("   The card payments for all four arrive; the sessions are scheduled.");
  }

  void group_session() {
    say_.chapter("A group session with three seats");
    const demo_provider& reyes = providers_[2];
    const instant start = at(reyes, 8, "17:00");
    group_request g;
    g.provider = reyes.profile.id;
    g.scheduled_at = start;
    g.duration = reyes.profile.rules.duration;
    g.capacity = 3;
    g.notes = "mindfulness group";
    const booking_confirmation opened = service_.open_group(actor::provider(g.provider), g);
    group_ = opened.session;
    say_.say("   Dr. Reyes opens a mindfulness group, {} ({}): 3 seats at {} each.",
             when(reyes, start), opened.booking_reference, to_string(opened.amount));
    say_.say("   It holds her time once, like one session; each client who joins takes a seat.");
    for (const std::size_t c : {3U, 4U, 5U, 7U}) {
      const person& who = clients_[c];
      try {
        const seat_confirmation s = service_.book_seat(actor::client(who.id), group_, who.id);
        say_.say("   {} takes a seat: {} of {} held.", who.name, s.seats_taken, s.capacity);
        ++seats_;
      } catch (const error& e) {
        say_.say("   {} asks for a seat too:", who.name);
        refuse(e);
      }
    }
  }

  void waitlist() {
    say_.chapter("The waitlist");
    const demo_provider& hart = providers_[1];
    const person& amina = clients_[0];
    const person& jonas = clients_[9];
    const std::size_t week = 1;  // the second Monday of Amina's series
    const session_id taken = series_sessions_.at(week);
    const instant start = at(hart, 14, "09:00");
    say_.say("   Jonas can only come at 09:00 on Mondays, and Amina has Dr. Hart then on {}.",
             format_date(day(14)));
    say_.say(
        "   He joins Dr. Hart's waitlist for that day, starting no earlier and no later than "
        "09:00:");
    waitlist_request w;
    w.provider = hart.profile.id;
    w.client = jonas.id;
    w.range = {to_instant(day(14), 0min, *hart.zone), to_instant(day(15), 0min, *hart.zone)};
    w.earliest_local = 9h;
    w.latest_local = 9h;
    const waitlist_entry entry = service_.join_waitlist(actor::client(jonas.id), w);
    say_.say("   Entry {}: {}, nothing offered yet (only freed time is offered).", entry.id,
             to_string(entry.state));

    say_.say("   Amina cancels that one week of her series ({} h ahead), keeping the others:",
             std::chrono::duration_cast<std::chrono::hours>(start - clock_.now()).count());
    offers_.clear();
    const cancellation_result c = service_.cancel(actor::client(amina.id), taken, "away that week");
    say_.say("   Cancelled {} ({}): {} refunded.", c.cancelled.booking_reference,
             to_string(c.decision.reason), to_string(c.refund.amount));
    for (const change_event& e : offers_) {
      say_.say("   [event {}] {}: entry {}, {} (client {}), {} with {}, held for {} min.",
               e.sequence, to_string(e.kind), e.waitlist_entry, notifier_.name_of(e.client),
               e.client.value, when(hart, e.time.begin), hart.short_name,
               service_.options().waitlist_offer_hold.count());
      offered_.push_back(change_event_json(e));
    }
    const booking_confirmation b = service_.accept_offer(actor::client(jonas.id), entry.id);
    (void)service_.confirm_payment(actor::system(), b.session, "card",
                                   fmt::format("TX{:06}", b.session.value * 7919));
    waitlist_booked_ = true;
    say_.say("   Jonas accepts: {} booked for {}, and paid by card.", b.booking_reference,
             when(hart, b.scheduled_at));
    const std::vector<session> left = service_.series_sessions(actor::client(amina.id), series_);
    say_.say("   Amina's series keeps {} of its {} weeks.",
             std::count_if(left.begin(), left.end(),
                           [](const session& s) { return s.status != session_status::cancelled; }),
             left.size());
  }

  const demo_provider& provider(provider_id id) const {
    return *std::find_if(providers_.begin(), providers_.end(),
                         [&](const demo_provider& p) { return p.profile.id == id; });
  }

  void report_analytics() {
    say_.chapter("Analytics for the fortnight");
    for (const demo_provider& p : providers_) {
      const interval range{to_instant(day(0), 0min, *p.zone), to_instant(day(14), 0min, *p.zone)};
      const session_analytics a =
          service_.analytics(actor::provider(p.profile.id), p.profile.id, range);
      say_.say(
          "   {}: {} bookings ({} completed, {} cancelled, {} no-show, {} still open), "
          "completion {}.{:02} %, revenue {}.",
          p.short_name, a.total, a.completed, a.cancelled, a.no_show, a.open,
          a.completion_rate.basis_points() / 100, a.completion_rate.basis_points() % 100,
          to_string(a.revenue));
      if (a.abandoned_holds + a.rescheduled > 0) {
        say_.say("      (not counted as bookings: {} abandoned hold, {} moved by a reschedule)",
                 a.abandoned_holds, a.rescheduled);
      }
      analytics_[p.short_name] = analytics_json(a);
    }
  }

  void check_audit() {
    say_.chapter("The audit chain");
    audit_ = service_.verify_audit();
    const audit_head head = service_.current_audit_head();
    say_.say("   Every action above, refusals included, is one entry in a SHA-256 hash chain.");
    say_.say("   {} entries checked: {}.", audit_.checked,
             audit_.ok() ? "the chain is intact" : "BROKEN: " + audit_.message);
    say_.say("   Head: {}:{}", head.sequence, head.hash);

    // Someone with write access to the file edits the refund recorded for Farid, after dropping
    // the trigger that keeps the table append-only.
    std::optional<audit_entry> target;
    {
      transaction tx{store_, access::read};
      for (const audit_entry& e : store_.audit_entries(0, 100000)) {
        if (e.action == "cancel" && e.session == booking_of(5).confirmation.session) target = e;
      }
      tx.commit();
    }
    if (!target) return;
    try {
      SQLite::Database raw{path_, SQLite::OPEN_READWRITE};
      raw.exec("DROP TRIGGER IF EXISTS audit_log_no_update");
      SQLite::Statement edit{raw,
                             "UPDATE audit_log SET detail = replace(detail, 'GBP 80.00', "
                             "'GBP 8.00') WHERE sequence = ?"};
      edit.bind(1, static_cast<std::int64_t>(target->sequence));
      edit.exec();
    } catch (const std::exception& e) {
      say_.say("   (Could not edit the file to show tampering: {})", e.what());
      return;
    }
    say_.say("   Now someone opens the database file directly, drops the append-only trigger and");
    say_.say("   changes Farid's refund in entry {} from GBP 80.00 to GBP 8.00.", target->sequence);
    tampered_ = service_.verify_audit();
    say_.say("   Verified again: {}", tampered_->ok() ? "intact (?!)" : tampered_->message);
    say_.say("   (`slotbook audit verify` exits with status 1 in that case.)");
    say_.say(
        "\nThat was slotbook. Try the same steps yourself: `slotbook --help`, and docs/cli.md.");
  }

  json summary() const {
    json refused = json::array();
    for (const std::string& r : refused_) refused.push_back(r);
    json j{{"database", temporary_ ? json(nullptr) : json(path_)},
           {"start", format_instant(start_)},
           {"monday", format_date(date::year_month_day{monday_})},
           {"providers", providers_.size()},
           {"clients", clients_.size()},
           {"booked", booked_},
           {"refused", std::move(refused)},
           {"remindersSent", notifier_.sent_},
           {"events", events_},
           {"series", json{{"id", series_.value},
                           {"booked", series_sessions_.size()},
                           {"cancelled", series_sessions_.empty() ? 0 : 1}}},
           {"group", json{{"session", group_.value}, {"capacity", 3}, {"seats", seats_}}},
           {"waitlist", json{{"offers", offered_}, {"booked", waitlist_booked_}}},
           {"analytics", analytics_},
           {"audit", json{{"ok", audit_.ok()}, {"checked", audit_.checked}}}};
    if (tampered_) {
      j["afterTampering"] = json{{"ok", tampered_->ok()},
                                 {"problem", to_string(tampered_->problem)},
                                 {"sequence", tampered_->sequence}};
    }
    return j;
  }

  narrator say_;
  settable_clock clock_;
  instant start_{clock_.now()};
  sqlite_store store_;
  std::vector<person> clients_;
  demo_gateway gateway_;
  demo_notifier notifier_;
  booking_service service_;
  std::string path_;
  bool temporary_;
  date::sys_days monday_{};
  std::vector<demo_provider> providers_;
  std::vector<booked> bookings_;
  std::vector<std::string> refused_;
  int booked_ = 0;
  std::size_t events_ = 0;
  std::vector<change_event> offers_;  // waitlist offers, as the subscription saw them
  series_id series_{};
  std::vector<session_id> series_sessions_;
  session_id group_{};
  int seats_ = 0;
  json offered_ = json::array();
  bool waitlist_booked_ = false;
  json analytics_ = json::object();
  audit_verification audit_{};
  std::optional<audit_verification> tampered_;
};

int run_demo(const context& ctx, const parsed_args&) {
  const demo_database db{ctx};
  json result;
  {
    clinic_demo demo{ctx, db.path(), db.temporary()};
    result = demo.run();
  }
  if (ctx.json) fmt::print("{}\n", dump(result));
  return exit_ok;
}

}  // namespace

std::vector<command> demo_commands() {
  return {
      {"demo",
       "",
       "a small clinic's fortnight, narrated (runs in a few seconds)",
       "Creates a temporary clinic: three psychologists in Nairobi, London and New York with\n"
       "weekly hours and exceptions, and twelve clients. It books, collides on purpose,\n"
       "cancels inside and outside the notice window, reschedules, expires an unpaid hold,\n"
       "sends reminders, runs a week of sessions, books a weekly series and cancels one week of\n"
       "it, fills a group session until it is full, offers the freed week to a client on the\n"
       "waitlist who accepts it, prints analytics and verifies the audit chain, then shows that\n"
       "an edit made behind slotbook's back is caught.\n"
       "It runs on a simulated clock starting at --now (default: the real time). The database\n"
       "is temporary unless --db names a new file to keep; --as is ignored (the demo's people\n"
       "act for themselves). With --json, prints a summary instead of the story.",
       {},
       0,
       0,
       run_demo},
  };
}

}  // namespace slotbook::cli

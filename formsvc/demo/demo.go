// Package demo fills an empty database with clearly fictional records, so
// that trainers and new officers can try the console, the exports and the
// reports: tip-offs and support requests spread over the months, with
// statuses and their history, notes, replies, the reporters' messages,
// photos, and demo officers. Every record goes through the same rules and
// the same store methods as a real one (validation, photo cleaning,
// CreateSubmission, ChangeStatus, AddNote, Reply, AddMessage, Assign,
// CreateOfficer, Audit), so it is sealed like real data.
package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/hoaphong/phongchongmaidam/formsvc"
)

// Marker starts every text the demo writes: no one can take a demo record
// for a real one, in the console, an export or a copy.
const Marker = "[DỮ LIỆU MẪU]"

// Store is what the demo needs: the store's own methods, as the web and
// the console use them.
type Store interface {
	formsvc.SubmissionService
	formsvc.OfficerService
	formsvc.AuditService
	formsvc.CaseService
	formsvc.FollowUpService
}

// Options say what to make.
type Options struct {
	Tips, Support int
	Months        int       // the records are spread over this many months...
	Until         time.Time // ...ending at this moment
	Seed          uint64    // the same seed makes the same records
	// Password is the demo officers' password; the caller draws it at
	// random (it is never derived from the seed, which is no secret).
	Password   string
	Spec       *formsvc.Spec
	ReceiptKey []byte // to store each record under a receipt's keyed hash
}

// Officer is a demo account.
type Officer struct {
	Username string
	Role     formsvc.Role
}

// Officers are the demo accounts, one per role.
var Officers = []Officer{
	{"demo-quantri", formsvc.RoleAdmin},
	{"demo-congan", formsvc.RolePolice},
	{"demo-xahoi", formsvc.RoleSocial},
}

// Result says what was made.
type Result struct {
	Tips, Support int
	From, Until   time.Time
	// Receipts are a few of the records' receipts, to try the public
	// follow-up page with: reference → receipt.
	Receipts [][2]string
}

// Maximums, so that a typing slip does not fill a disk.
const (
	MaxRecords = 20000
	MaxMonths  = 60
)

// NotEmptyError refuses a database that already holds records or officers.
type NotEmptyError struct{ Records, Officers int }

func (e *NotEmptyError) Error() string {
	return fmt.Sprintf("cơ sở dữ liệu này đã có %d hồ sơ và %d tài khoản cán bộ: dữ liệu mẫu chỉ được tạo trong một cơ sở dữ liệu trống, "+
		"để không bao giờ lẫn với hồ sơ thật. Hãy chỉ một tệp mới, ví dụ --db var/demo.db --key-file var/demo.key", e.Records, e.Officers)
}

var ict = formsvc.Vietnam

// Fill makes the demo data in st, which must hold no record and no
// officer.
func Fill(ctx context.Context, st Store, o Options) (*Result, error) {
	switch {
	case o.Tips < 0 || o.Support < 0 || o.Tips+o.Support > MaxRecords:
		return nil, fmt.Errorf("số hồ sơ mẫu phải từ 0 đến %d", MaxRecords)
	case o.Months < 1 || o.Months > MaxMonths:
		return nil, fmt.Errorf("số tháng phải từ 1 đến %d", MaxMonths)
	case o.Spec == nil || len(o.ReceiptKey) == 0:
		return nil, fmt.Errorf("demo: no form spec or receipt key")
	}
	if err := checkEmpty(ctx, st); err != nil {
		return nil, err
	}
	g := newGenerator(o)
	officers, err := g.officers(ctx, st)
	if err != nil {
		return nil, err
	}
	plans, err := g.plans()
	if err != nil {
		return nil, err
	}
	res := &Result{Tips: o.Tips, Support: o.Support, From: g.from, Until: g.until}
	if err := g.run(ctx, st, plans, officers, res); err != nil {
		return nil, err
	}
	return res, nil
}

func checkEmpty(ctx context.Context, st Store) error {
	counts, err := st.StatusCounts(ctx, []formsvc.Kind{formsvc.KindTip, formsvc.KindSupport})
	if err != nil {
		return err
	}
	records := 0
	for _, byStatus := range counts {
		for _, n := range byStatus {
			records += n
		}
	}
	officers, err := st.Officers(ctx)
	if err != nil {
		return err
	}
	if records > 0 || len(officers) > 0 {
		return &NotEmptyError{Records: records, Officers: len(officers)}
	}
	return nil
}

// generator draws the records from the seed.
type generator struct {
	o           Options
	rng         *rand.Rand
	from, until time.Time
	validator   *formsvc.Validator
}

func newGenerator(o Options) *generator {
	until := o.Until.In(ict)
	first := time.Date(until.Year(), until.Month(), 1, 0, 0, 0, 0, ict).AddDate(0, -(o.Months - 1), 0)
	return &generator{o: o, rng: rand.New(rand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15)), from: first, until: until,
		validator: formsvc.NewValidator(func() time.Time { return until })}
}

// officers creates the demo accounts, with the password checked and
// hashed as `formsvc officer add` does.
func (g *generator) officers(ctx context.Context, st Store) (map[formsvc.Role]*formsvc.Officer, error) {
	out := map[formsvc.Role]*formsvc.Officer{}
	for _, d := range Officers {
		o, hash, err := formsvc.NewOfficer(ctx, d.Username, string(d.Role), g.o.Password)
		if err != nil {
			return nil, err
		}
		if err := st.CreateOfficer(ctx, o, hash); err != nil {
			return nil, err
		}
		// Logged as made the day before the first record: the log then
		// reads in time order, as a real one does.
		if err := st.Audit(ctx, formsvc.AuditEntry{At: g.from.Add(-24 * time.Hour), Username: cliUser, Action: formsvc.AuditOfficerAdd, Target: o.Username,
			Detail: string(o.Role) + ", " + Marker}); err != nil {
			return nil, err
		}
		out[d.Role] = o
	}
	return out, nil
}

// cliUser names the command line in the audit log, as the cli package does.
const cliUser = "(dòng lệnh)"

// plan is one record and what officers and the reporter do with it.
type plan struct {
	kind    formsvc.Kind
	at      time.Time
	values  formsvc.Values
	photos  int
	steps   []step
	receipt formsvc.Receipt
}

// step is one later action on a record.
type step struct {
	at     time.Time
	action string // status, note, reply, message, assign, priority, outcome
	to     string // the new status; a referral's destination; an outcome
	dest   string // where a referral status sends the record
	text   string
}

// months spreads n records over the months: at least one a month while
// there are enough, the rest by a weight per month, so the figures move
// from month to month as real ones do.
func (g *generator) months(n int) []int {
	m := g.o.Months
	counts := make([]int, m)
	weights := make([]float64, m)
	total := 0.0
	for i := range weights {
		weights[i] = 0.6 + 0.8*g.rng.Float64()
		total += weights[i]
	}
	left := n
	if n >= m {
		for i := range counts {
			counts[i] = 1
		}
		left -= m
	}
	for range left {
		x := g.rng.Float64() * total
		i := 0
		for ; i < m-1 && x > weights[i]; i++ {
			x -= weights[i]
		}
		counts[i]++
	}
	return counts
}

// moment draws a time in month i (0 = the first), in the day and evening,
// never after the end.
func (g *generator) moment(i int) time.Time {
	start := g.from.AddDate(0, i, 0)
	end := start.AddDate(0, 1, 0)
	if end.After(g.until) {
		end = g.until
	}
	span := end.Sub(start)
	for range 20 {
		t := start.Add(time.Duration(g.rng.Int64N(int64(span))))
		if h := t.Hour(); h >= 6 && h <= 23 {
			return t.Truncate(time.Minute)
		}
	}
	return start.Add(span / 2).Truncate(time.Minute)
}

// plans draws every record, oldest first, so that references count up
// with the dates as real ones do.
func (g *generator) plans() ([]*plan, error) {
	var out []*plan
	for _, k := range []formsvc.Kind{formsvc.KindTip, formsvc.KindSupport} {
		n := g.o.Tips
		if k == formsvc.KindSupport {
			n = g.o.Support
		}
		for i, c := range g.months(n) {
			for range c {
				p := &plan{kind: k, at: g.moment(i)}
				if k == formsvc.KindTip {
					g.tip(p)
				} else {
					g.support(p)
				}
				g.workflow(p)
				out = append(out, p)
			}
		}
	}
	slices.SortStableFunc(out, func(a, b *plan) int { return a.at.Compare(b.at) })
	return out, nil
}

// pick returns one of xs.
func pick[T any](g *generator, xs []T) T { return xs[g.rng.IntN(len(xs))] }

// chance is true with probability p.
func (g *generator) chance(p float64) bool { return g.rng.Float64() < p }

func (g *generator) tip(p *plan) {
	cat := pick(g, tipCategories)
	t := pick(g, tipTemplates[cat])
	if (t.minors || t.coercion) && g.chance(0.5) {
		t = pick(g, tipTemplates[cat]) // most tips are of the ordinary kind
	}
	name := pick(g, placeNames)
	v := formsvc.Values{
		"category":    {cat},
		"location":    {Marker + " " + fill(pick(g, locations[cat]), g, name)},
		"description": {Marker + " " + fill(t.text, g, name)},
	}
	if t.minors || g.chance(0.02) {
		v["minors_involved"] = []string{"1"}
	}
	if t.coercion || g.chance(0.04) {
		v["coercion_suspected"] = []string{"1"}
	}
	if g.chance(0.7) {
		seen := p.at.AddDate(0, 0, -g.rng.IntN(8))
		v["observed_at"] = []string{seen.Format("2006-01-02")}
	}
	if g.chance(0.15) {
		v["contact"] = []string{Marker + " " + pick(g, tipContacts)}
	}
	p.values = v
	if g.chance(0.2) {
		p.photos = 1 + g.rng.IntN(2)
	}
}

func (g *generator) support(p *plan) {
	t := pick(g, supportTemplates)
	services := slices.Clone(t.services)
	if g.chance(0.3) {
		extra := pick(g, []string{"counselling", "health", "legal_aid", "hiv"})
		if !slices.Contains(services, extra) {
			services = append(services, extra)
		}
	}
	v := formsvc.Values{
		"services":       services,
		"message":        {Marker + " " + fill(t.text, g, pick(g, placeNames))},
		"contact_method": {pick(g, []string{"none", "none", "in_person"})},
		"consent":        {"1"},
	}
	if g.chance(0.4) {
		v["preferred_time"] = []string{Marker + " " + pick(g, preferredTimes)}
	}
	p.values = v
}

// fill puts random numbers and a made-up name into a template: {n} a
// small count, {h} an hour of the evening, {name} the name.
func fill(s string, g *generator, name string) string {
	s = strings.ReplaceAll(s, "{n}", fmt.Sprint(2+g.rng.IntN(5)))
	s = strings.ReplaceAll(s, "{h}", fmt.Sprint(19+g.rng.IntN(5)))
	return strings.ReplaceAll(s, "{name}", name)
}

// workflow draws what happens to a record after it arrives: a path
// through the statuses, each step some hours or days after the one
// before; steps that would fall after the end have not happened yet, so
// older records are further along, as in a real inbox. A few records are
// never touched (overdue in the inbox).
func (g *generator) workflow(p *plan) {
	if g.chance(0.04) {
		return
	}
	paths := tipPaths
	if p.kind == formsvc.KindSupport {
		paths = supportPaths
	}
	high := p.values.Get("minors_involved") == "1" || p.values.Get("coercion_suspected") == "1"
	path := pick(g, paths)
	if high && p.kind == formsvc.KindTip && g.chance(0.6) {
		path = []string{"verifying", "referred", "closed"}
	}
	if g.chance(0.2) {
		path = path[:1+g.rng.IntN(len(path)-1)] // still being worked on
	}
	// First action: an hour to three days; high priority within a day.
	firstWithin := 72 * time.Hour
	if high {
		firstWithin = 20 * time.Hour
	}
	at := p.at.Add(time.Hour + time.Duration(g.rng.Int64N(int64(firstWithin))))
	add := func(s step) bool {
		if s.at.After(g.until) {
			return false
		}
		p.steps = append(p.steps, s)
		return true
	}
	if !add(step{at: at, action: "assign"}) {
		return
	}
	if g.chance(0.5) {
		reply := pick(g, replies[p.kind])
		add(step{at: at.Add(10 * time.Minute), action: "reply", text: Marker + " " + reply})
		if g.chance(0.35) {
			add(step{at: at.Add(time.Duration(6+g.rng.IntN(70)) * time.Hour), action: "message", text: Marker + " " + pick(g, reporterMessages[p.kind])})
		}
	}
	// Now and then an officer raises a normal tip that reads urgent.
	if !high && p.kind == formsvc.KindTip && g.chance(0.05) {
		add(step{at: at.Add(5 * time.Minute), action: "priority", to: string(formsvc.PriorityHigh),
			text: Marker + " Nội dung cho thấy có thể có người chưa thành niên."})
	}
	def := g.o.Spec.Kind(p.kind)
	for i, to := range path {
		if i > 0 {
			at = at.Add(time.Duration(12+g.rng.IntN(40*24)) * time.Hour)
		}
		s := step{at: at, action: "status", to: to, text: Marker + " " + pick(g, statusNotes[p.kind][to])}
		referral := def.Status(formsvc.Status(to)).Referral
		if referral {
			s.dest = pick(g, g.o.Spec.Referrals.For(p.kind)).Code
		}
		if !add(s) {
			break
		}
		if referral && g.chance(0.7) {
			add(step{at: at.Add(time.Duration(24+g.rng.IntN(10*24)) * time.Hour), action: "outcome",
				to: pick(g, g.o.Spec.Referrals.Outcomes).Code})
		}
		if g.chance(0.25) {
			add(step{at: at.Add(time.Duration(1+g.rng.IntN(48)) * time.Hour), action: "note", text: Marker + " " + pick(g, notes[p.kind])})
		}
	}
	slices.SortStableFunc(p.steps, func(a, b step) int { return a.at.Compare(b.at) })
}

// event is one write, for running every record's steps in time order:
// the audit log then reads as a real one would.
type event struct {
	at   time.Time
	plan *plan
	step *step // nil: the record arrives
}

// run stores the records and their steps in time order.
func (g *generator) run(ctx context.Context, st Store, plans []*plan, officers map[formsvc.Role]*formsvc.Officer, res *Result) error {
	hasher := formsvc.NewReceiptHasher(g.o.ReceiptKey)
	var events []event
	for _, p := range plans {
		events = append(events, event{at: p.at, plan: p})
		for i := range p.steps {
			events = append(events, event{at: p.steps[i].at, plan: p, step: &p.steps[i]})
		}
	}
	slices.SortStableFunc(events, func(a, b event) int { return a.at.Compare(b.at) })
	subs := map[*plan]*formsvc.Submission{}
	shown := map[formsvc.Kind]bool{}
	for _, e := range events {
		if err := ctx.Err(); err != nil {
			return err
		}
		if e.step == nil {
			s, err := g.create(ctx, st, e.plan, hasher)
			if err != nil {
				return err
			}
			subs[e.plan] = s
			continue
		}
		s := subs[e.plan]
		o := officers[formsvc.RolePolice]
		if s.Kind == formsvc.KindSupport {
			o = officers[formsvc.RoleSocial]
		}
		var err error
		audit := formsvc.AuditEntry{At: e.at, OfficerID: o.ID, Username: o.Username, Target: s.Ref}
		switch e.step.action {
		case "assign":
			err = st.Assign(ctx, s, o.ID, e.at)
			audit.Action, audit.Detail = formsvc.AuditAssign, o.Username
		case "status":
			from := s.Status
			to := formsvc.Status(e.step.to)
			m := formsvc.StatusMove{To: to, Destination: e.step.dest, Note: e.step.text, OfficerID: o.ID, At: e.at}
			if err = st.ChangeStatus(ctx, s, m); err == nil {
				s.Status = to
			}
			audit.Action, audit.Detail = formsvc.AuditStatus, string(from)+" → "+e.step.to
			if e.step.dest != "" {
				audit.Detail += " (" + e.step.dest + ")"
			}
		case "priority":
			from, to := s.Priority, formsvc.Priority(e.step.to)
			if err = st.SetPriority(ctx, s, to, o.ID, e.step.text, e.at); err == nil {
				s.Priority = to
			}
			audit.Action, audit.Detail = formsvc.AuditPriority, string(from)+" → "+e.step.to
		case "outcome":
			var refs []formsvc.Referral
			if refs, err = st.Referrals(ctx, s); err == nil && len(refs) > 0 {
				err = st.RecordOutcome(ctx, s, refs[len(refs)-1].ID, e.step.to, o.ID, e.at)
			}
			audit.Action, audit.Detail = formsvc.AuditOutcome, e.step.to
		case "note":
			err = st.AddNote(ctx, s, o.ID, e.step.text, e.at)
			audit.Action = formsvc.AuditNote
		case "reply":
			err = st.Reply(ctx, s, o.ID, e.step.text, e.at)
			audit.Action = formsvc.AuditReply
			if !shown[s.Kind] && len(res.Receipts) < 2 {
				// A record with a reply shows the follow-up page at work.
				shown[s.Kind] = true
				res.Receipts = append(res.Receipts, [2]string{s.Ref, e.plan.receipt.String()})
			}
		case "message":
			err = st.AddMessage(ctx, s, &formsvc.Message{Author: formsvc.AuthorReporter, Body: e.step.text, CreatedAt: e.at})
			audit = formsvc.AuditEntry{} // the reporter's messages are not officers' actions
		}
		if err != nil {
			return fmt.Errorf("%s %s: %w", e.step.action, s.Ref, err)
		}
		if audit.Action != "" {
			if err := st.Audit(ctx, audit); err != nil {
				return err
			}
		}
	}
	return nil
}

// create validates a record's values with the form's own rules, makes its
// photos, and stores it under a fresh receipt, as the public API does.
func (g *generator) create(ctx context.Context, st Store, p *plan, hasher *formsvc.ReceiptHasher) (*formsvc.Submission, error) {
	def := g.o.Spec.Kind(p.kind)
	form := def.Form
	clean, err := g.validator.Validate(form, p.values)
	if err != nil {
		return nil, fmt.Errorf("demo record fails the form's rules: %v (%v)", err, formsvc.ErrorMessage(err))
	}
	s := formsvc.NewSubmission(def, clean, p.at)
	if form.AsksConsent() {
		s.Content.PrivacyVersion = g.o.Spec.PrivacyVersion
	}
	for i := range p.photos {
		photo, err := formsvc.CleanPhoto(ctx, demoPhoto(g.rng, i))
		if err != nil {
			return nil, fmt.Errorf("demo photo: %w", err)
		}
		s.Photos = append(s.Photos, photo)
	}
	for {
		p.receipt = formsvc.NewReceipt()
		err := st.CreateSubmission(ctx, s, hasher.Hash(p.receipt))
		if err == formsvc.ErrReceiptTaken {
			continue
		}
		if err != nil {
			return nil, err
		}
		return s, nil
	}
}

// What only the browser knows: may this survey show to this visitor, on this device, now?
// GET /api/surveys already applied the path rule and the dates; here:
//
//   devices    from the viewport's width: mobile < 768 px <= tablet < 1024 px <= desktop
//   visitors   "new": the tracker made this browser's visitor id (localStorage footfall_id) less
//              than 30 minutes ago — it writes when, footfall_t, with the id; "returning": an
//              older id, or an id without footfall_t (made by a t.js from before surveys).
//              Without an id (data-cookieless, storage refused) neither is known: a survey for
//              new or returning visitors does not show; one for all visitors does.
//   sample     a number in [0, 100) drawn once per visitor and survey and kept; the survey may
//              show while it is below the sample percentage (so reloads never re-roll, and raising
//              the percentage later keeps those who were already in)
//   frequency  when the survey was last shown (an impression: a dismissal or an answer follows
//              one, so both count as shown); "once": never again, "days": again N days later
//
// Kept in localStorage under footfall_s: {survey id: [last shown (ms) or 0, draw]} — times and
// random draws, no identifier, so also on data-cookieless sites. Where storage is refused, no
// survey shows: without it the frequency cap could not hold.
const KEY = 'footfall_s';
const HALF_HOUR = 18e5;
const DAY = 864e5;

const read = () => JSON.parse(localStorage[KEY] || '{}');
const write = (state) => (localStorage[KEY] = JSON.stringify(state));

export const device = () => (innerWidth < 768 ? 'mobile' : innerWidth < 1024 ? 'tablet' : 'desktop');

const visitor = () => {
  const made = +localStorage.footfall_t;
  return made ? (Date.now() - made < HALF_HOUR ? 'new' : 'returning') : localStorage.footfall_id ? 'returning' : '';
};

// Throws when storage is refused: the caller treats that as "no".
export const allowed = (survey) => {
  const state = read();
  const mine = (state[survey.id] ||= [0, Math.random() * 100]);
  write(state);
  const every = survey.frequency.days;
  return (
    mine[1] < survey.sample &&
    !(mine[0] && (!every || Date.now() - mine[0] < every * DAY)) &&
    (!survey.devices[0] || survey.devices.includes(device())) &&
    (survey.visitors == 'all' || survey.visitors == visitor())
  );
};

export const shown = (survey) => {
  const state = read();
  (state[survey.id] ||= [0, 0])[0] = Date.now();
  write(state);
};

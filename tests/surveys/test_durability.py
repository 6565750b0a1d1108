"""Survey rows share the events' spool: acknowledged means on disk, a crash loses nothing, and
after a restart a replayed request or a second answer still counts once (the store knows)."""

from __future__ import annotations

import signal
import uuid
from pathlib import Path

from tests.conftest import start_server
from tests.surveys.conftest import SurveyServer, add_survey, footfall


def test_spooled_answers_survive_a_crash_and_still_count_once(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    assert footfall(data_dir, "sites", "add", "shop.test").returncode == 0
    ids = {"csat": add_survey(data_dir, "shop.test", "--kind", "csat")}
    answer = {"survey": ids["csat"], "kind": "answer", "score": 4, "id": str(uuid.uuid4()),
              "u": "https://shop.test/crash", "v": "visitor-1"}
    # Nothing is flushed before the kill: the answer lives only in the spool.
    first = SurveyServer(start_server(tmp_path, FOOTFALL_FLUSH_INTERVAL_MS="600000",
                                      FOOTFALL_FLUSH_ROWS="100000"), ids)
    try:
        assert first.post(answer).json() == {"accepted": 1, "dropped": 0, "id": answer["id"]}
    finally:
        first.server.stop(signal.SIGKILL)
    second = SurveyServer(start_server(tmp_path, FOOTFALL_FLUSH_INTERVAL_MS="100"), ids)
    try:
        [row] = second.responses("path = '/crash'")
        assert (row["rid"], row["score"]) == (answer["id"], 4)
        assert second.post(answer).json()["accepted"] == 1  # the client's retry: acknowledged again
        again = second.post({**answer, "id": str(uuid.uuid4()), "score": 1})
        assert again.json() == {"accepted": 0, "dropped": 1, "reason": "duplicate_answer", "id": answer["id"]}
        assert len(second.responses("path = '/crash'", expected=2, timeout=1.5)) == 1
    finally:
        second.server.stop()

"""The chat UI in Debian's headless Chromium, driven by Playwright (no Playwright download)."""

from __future__ import annotations

import shutil

import httpx
import pytest

from tests.e2e.conftest import ADMIN, ARTIFACTS, DEATH_PENALTY, LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser():
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def test_chat_cites_paragraph_8_and_marker_opens_it(browser, live_app: LiveServer) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    outside: list[str] = []
    errors: list[str] = []

    def only_loopback(route) -> None:
        url = route.request.url
        if url.startswith((live_app.url, "data:", "blob:")):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    page.route("**/*", only_loopback)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(live_app.url + "/")

    # Filters and the document list are filled from the store.
    page.wait_for_selector("#question textarea", timeout=60_000)
    page.fill("#question textarea", DEATH_PENALTY)
    page.click("#ask")
    card = page.locator('#citations .cite-card[data-paragraph$=":¶8"]')
    card.wait_for(timeout=90_000)
    assert "¶8" in card.locator(".cite-num").inner_text()
    assert "Belgium" in card.inner_text()
    assert "死刑" in card.locator(".cite-text").inner_text()
    assert card.locator(".cite-text mark").count() == 1

    # The answer's marker for ¶8 is a link to that card; clicking it highlights the card.
    card_id = card.get_attribute("id")
    marker = page.locator(f'#chat a[href$="#{card_id}"]').first
    assert marker.inner_text().strip().startswith("[")
    marker.click()
    page.wait_for_selector(f"#{card_id}.active", timeout=5_000)
    assert page.locator(".cite-card.active").count() == 1
    assert len(page.context.pages) == 1  # the marker did not open a new tab

    # Copy citation shows the markdown bundle.
    page.click("#copy-citation")
    page.wait_for_selector("#bundle", timeout=30_000)
    page.wait_for_function(
        "() => (document.querySelector('#bundle')?.innerText || '').includes('8')",
        timeout=30_000,
    )

    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "chat-death-penalty.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000

    assert outside == [], f"the page tried to reach the internet: {outside}"
    assert errors == [], errors
    page.close()


def test_documents_tab_lists_and_admin_upload_ingests(
    browser, live_app: LiveServer, tmp_path
) -> None:
    from tests.e2e.test_api import NORWAY

    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(live_app.url + "/")
    page.wait_for_selector("#question textarea", timeout=60_000)
    page.get_by_role("tab", name="Documents").click()
    page.wait_for_function(
        "() => (document.querySelector('#documents')?.innerText || '').includes('Belgium')",
        timeout=30_000,
    )
    page.get_by_text("Add documents (admins)").click()

    # A wrong token is refused with a message.
    page.fill("#admin-token input", "wrong")
    page.click("#ingest")
    page.wait_for_function(
        "() => (document.querySelector('#ingest-status')?.innerText || '').includes('token')",
        timeout=30_000,
    )

    # The right token ingests the file and the table shows it.
    pledge = tmp_path / "norway-2025-2027.txt"
    pledge.write_text(NORWAY, encoding="utf-8")
    page.set_input_files("#upload-files input[type=file]", str(pledge))
    # The upload goes to the server before the widget names the file: on a loaded two-core
    # machine that took over 30 s once, so the wait is as long as the ingest's below.
    page.wait_for_selector("#upload-files :text('norway-2025-2027.txt')", timeout=90_000)
    page.fill("#admin-token input", ADMIN)
    page.click("#ingest")
    page.wait_for_function(
        "() => (document.querySelector('#ingest-status')?.innerText || '').includes('added')",
        timeout=120_000,
    )
    assert "norway-2025-2027.txt" in page.inner_text("#ingest-status")
    page.wait_for_function(
        "() => (document.querySelector('#documents')?.innerText || '').includes('Norway')",
        timeout=30_000,
    )
    page.screenshot(path=str(ARTIFACTS / "documents.png"), full_page=True)
    page.close()

    # Leave the shared store as it was.
    with httpx.Client(base_url=live_app.url, timeout=60) as http:
        docs = http.get("/v1/documents").json()["documents"]
        (norway,) = [d for d in docs if d["country"] and d["country"]["code"] == "NOR"]
        assert norway["source"] == "norway-2025-2027.txt"
        headers = {"Authorization": f"Bearer {ADMIN}"}
        assert http.delete(f"/v1/documents/{norway['doc_id']}", headers=headers).status_code == 200


def test_api_docs_page_renders_offline(browser, live_app: LiveServer) -> None:
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    outside: list[str] = []

    def only_loopback(route) -> None:
        if route.request.url.startswith((live_app.url, "data:", "blob:")):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_loopback)
    page.goto(live_app.url + "/docs")
    page.wait_for_selector('.opblock-summary-path[data-path="/v1/ask"]', timeout=30_000)
    for path in ("/v1/search", "/v1/verify", "/v1/documents", "/healthz"):
        assert page.locator(f'.opblock-summary-path[data-path="{path}"]').count() >= 1, path
    assert outside == [], outside
    page.close()


def test_an_arabic_quote_keeps_its_quotation_mark_and_marker_after_it(
    browser, live_app: LiveServer, tmp_path
) -> None:
    from tests.ingest.pledges import AR, write_txt

    headers = {"Authorization": f"Bearer {ADMIN}"}
    pledge = write_txt(AR, tmp_path / "ruritania-ar.txt")
    with httpx.Client(base_url=live_app.url, timeout=300) as http:
        files = {"file": (pledge.name, pledge.read_bytes(), "text/plain")}
        r = http.post("/v1/documents", files=files, headers=headers)
        assert r.status_code == 200, r.text
        doc_id = r.json()["files"][0]["doc_id"]
    try:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(live_app.url + "/")
        page.wait_for_selector("#question textarea", timeout=60_000)
        page.fill(
            "#question textarea",
            "ما الذي التزمت به روريتانيا بشأن المؤسسة الوطنية لحقوق الإنسان؟",
        )
        page.click("#ask")
        quote = page.locator('#chat bdi[lang="ar"]').first
        quote.wait_for(timeout=120_000)
        # Where the quote's logical end is drawn (its last line) and where the marker after it
        # is. Before, the answer was a left-to-right block whatever its language, and the
        # marker after a quote was drawn inside the Arabic run around it (a document title, a
        # quote), away from the quote's end.
        geometry = quote.evaluate(
            """(q) => {
                let a = q.nextElementSibling;
                while (a && a.tagName !== 'A') { a = a.nextElementSibling; }
                const m = a.getBoundingClientRect();
                const mid = (m.top + m.bottom) / 2;
                // The quote's pieces on the marker's line (bidi splits a line into boxes).
                const line = Array.from(q.getClientRects()).filter(
                    (r) => r.top <= mid && mid <= r.bottom);
                return {quote_left: Math.min(...line.map((r) => r.left)),
                        quote_right: Math.max(...line.map((r) => r.right)),
                        on_line: line.length, marker_left: m.left, marker_right: m.right,
                        marker: a.textContent,
                        direction: getComputedStyle(q.parentElement).direction,
                        between: q.nextSibling ? q.nextSibling.textContent : ''};
            }"""
        )
        page.screenshot(path=str(ARTIFACTS / "chat-arabic-quote.png"), full_page=True)
        assert geometry["marker"].startswith("[")
        assert geometry["between"].startswith("”"), geometry
        assert geometry["on_line"] >= 1, geometry  # the marker is on the quote's last line
        # The answer's frame is Arabic: the answer reads right to left, the marker left of
        # the quote's end.
        assert geometry["direction"] == "rtl", geometry
        assert geometry["marker_right"] <= geometry["quote_left"] + 1, geometry
        page.close()
    finally:
        with httpx.Client(base_url=live_app.url, timeout=60) as http:
            assert http.delete(f"/v1/documents/{doc_id}", headers=headers).status_code == 200

"""Browser journeys through a running Simpul in headless Chromium (412 px, a phone).

Each journey clicks through the real pages as a person would, asserts what they should
see, and saves a screenshot of every step.

Usage:
  python3 browser/journeys.py BASE_URL ADMIN_PASSWORD OUTDIR [journey ...]

The server must be fresh (first start) with SIMPUL_PARTY_NAME=PKS, and a witness account
`saksi1` (role saksi on 36.73.05.1001, password "saksi-rahasia-1") created with
`simpul admin create`. Journeys: electoral (results import, seats, seat planner),
tally (a witness sends a tally from the phone form; the roll-up shows it), service (a
citizen files a request, fixes a bad phone number, checks the request by its code),
membership (a citizen registers, is told exactly what is wrong with the NIK, registers;
an official verifies and activates, prints the e-KTA; the QR's public page shows initials only),
events (a member is activated, a hybrid event checks her in by KTA number, online count, both
counts), cadre (a training: sessions, check-in by KTA number, a guest, the attendance list,
certificates; the ladder and who is ready for promotion).
"""
import os
import sys

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

HERE = os.path.dirname(os.path.abspath(__file__))


def driver(width=412, height=915):
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", f"--window-size={width},{height}"):
        opts.add_argument(arg)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)


class Journey:
    def __init__(self, base, out, name):
        self.base, self.out, self.name = base, out, name
        self.d = driver()
        self.step = 0

    def shot(self, label):
        self.step += 1
        # Full-page screenshot: widen the window height to the document.
        # (An SVG document, such as the printed card, has no body.)
        height = self.d.execute_script("var e = document.body || document.documentElement; return e.scrollHeight || 0")
        self.d.set_window_size(412, min(max(915, height + 40), 6000))
        path = f"{self.out}/{self.name}-{self.step:02d}-{label}.png"
        self.d.save_screenshot(path)
        self.d.set_window_size(412, 915)
        return path

    def go(self, path):
        self.d.get(self.base + path)

    def text(self):
        # A page that is still being replaced can lose its body between find and read; ask again.
        from selenium.common.exceptions import WebDriverException
        import time
        for attempt in range(5):
            try:
                return self.d.find_element(By.TAG_NAME, "body").text
            except WebDriverException:
                if attempt == 4:
                    raise
                time.sleep(0.3)

    def expect(self, needle):
        assert needle in self.text(), f"{self.name} step {self.step}: expected {needle!r} on {self.d.current_url}"

    def click(self, element):
        """Clicks something that loads a new page and waits until that page is there."""
        from selenium.webdriver.support.ui import WebDriverWait
        from selenium.common.exceptions import WebDriverException
        old = self.d.find_element(By.TAG_NAME, "html")
        element.click()

        def replaced(_):
            # Chromium reports a node of the old page as stale, or as "does not belong to
            # the document" while the new one loads: both mean the page was replaced.
            try:
                old.is_enabled()
                return False
            except WebDriverException:
                return True
        WebDriverWait(self.d, 20).until(replaced)

    def follow(self, link_text):
        self.click(self.d.find_element(By.PARTIAL_LINK_TEXT, link_text))

    def login(self, user, password):
        self.go("/login")
        self.d.find_element(By.NAME, "username").send_keys(user)
        self.d.find_element(By.NAME, "password").send_keys(password)
        self.click(self.d.find_element(By.CSS_SELECTOR, "form button[type=submit]"))

    def field(self, name):
        return self.d.find_element(By.NAME, name)

    def submit(self, form_action_part):
        self.click(self.d.find_element(By.CSS_SELECTOR, f"form[action*='{form_action_part}'] button[type=submit]"))

    def quit(self):
        self.d.quit()


def election_path(j, key_name="Pemilu 2024"):
    j.go("/elections")
    link = j.d.find_element(By.PARTIAL_LINK_TEXT, key_name)
    return link.get_attribute("href").split(j.base, 1)[1]


def electoral(base, password, out):
    j = Journey(base, out, "electoral")
    try:
        j.login("admin", password)
        e = election_path(j)
        j.go(e + "/import")
        j.field("file").send_keys(os.path.join(HERE, "fixtures", "hasil-sintetis.csv"))
        j.submit("/import")
        j.expect("baris diimpor")
        j.expect("Kota Serang 4")
        j.shot("seats")
        j.go(e + "/dapil/1")
        j.expect("Bilangan pembagi")
        j.shot("dapil")
        j.go(e + "/plan?target=8")
        j.expect("suara tambahan")
        j.shot("planner")
        j.go(e + "/plan?target=8&turnout=-5&swing_36_73_05=3")
        j.expect("Kursi simulasi")
        j.shot("scenario")
        dapil4 = [o.get_attribute("value") for o in j.d.find_elements(By.CSS_SELECTOR, "select[name=split] option")][0]
        j.go(e + f"/plan?target=8&split={dapil4}")
        j.expect("Kursi dibagi ulang")
        j.shot("split")
    finally:
        j.quit()


def tally(base, password, out):
    admin = Journey(base, out, "tally")
    try:
        admin.login("admin", password)
        e = election_path(admin)
        admin.go(e + "/tps")
        admin.field("file").send_keys(os.path.join(HERE, "fixtures", "tps-sintetis.csv"))
        admin.submit("/tps")
        admin.expect("TPS disimpan")
    finally:
        admin.quit()
    j = Journey(base, out, "tally")
    j.step = 0
    try:
        j.login("saksi1", "saksi-rahasia-1")
        j.go("/tally")
        j.expect("TPS 001")
        j.shot("my-stations")
        j.follow("TPS 001")
        j.field("votersPresent").send_keys("180")
        j.field("party_8").send_keys("90")
        j.field("party_2").send_keys("70")
        j.field("validVotes").send_keys("170")
        j.field("invalidVotes").send_keys("10")
        j.shot("form-wrong")
        j.submit("/tally/")
        j.expect("tidak sama dengan jumlah suara sah")
        j.shot("refused")
        j.field("party_4").clear()
        j.field("party_4").send_keys("10")
        j.submit("/tally/")
        j.expect("sudah dihitung")
        j.shot("accepted")
    finally:
        j.quit()
    admin = Journey(base, out, "tally-rollup")
    try:
        admin.login("admin", password)
        admin.go(election_path(admin) + "/tally")
        admin.expect("1/4")
        admin.shot("rollup")
    finally:
        admin.quit()


def service(base, password, out):
    """A citizen files a request from a phone, is told what is wrong, then checks it by code."""
    import time
    from selenium.webdriver.support.ui import Select
    j = Journey(base, out, "service")
    try:
        j.go("/layanan")
        j.expect("kode pelacakan")
        Select(j.field("category")).select_by_index(1)
        j.field("summary").send_keys("Ibu saya belum terdaftar BPJS PBI")
        j.field("description").send_keys("Ibu saya lansia, belum terdaftar sebagai penerima bantuan iuran BPJS.")
        Select(j.field("regionCode")).select_by_value("36.73.05.1001")
        j.field("requesterName").send_keys("Siti Aminah")
        j.field("phone").send_keys("0812")
        j.d.find_element(By.NAME, "consent").click()
        j.shot("form")
        time.sleep(3.5)  # the form refuses posts faster than a person types
        j.submit("/layanan")
        j.expect("Nomor HP")
        j.shot("refused")
        j.field("phone").clear()
        j.field("phone").send_keys("081234567890")
        j.submit("/layanan")
        code = j.d.find_element(By.CSS_SELECTOR, ".code").text.strip()
        assert code, "no tracking code on the receipt"
        j.shot("receipt")
        j.go("/layanan/cek?kode=" + code)
        j.expect(code)
        assert "Siti Aminah" not in j.text() and "081234567890" not in j.text(), "the public check shows personal data"
        j.shot("check")
    finally:
        j.quit()


def membership(base, password, out):
    """A citizen registers from a phone (a bad NIK first); an official verifies, activates and prints the card."""
    import time
    from selenium.webdriver.support.ui import Select
    j = Journey(base, out, "membership")
    try:
        j.go("/daftar")
        j.field("fullName").send_keys("Siti Aminah")
        j.field("nik").send_keys("367305550890")  # twelve digits: a digit group left out
        j.field("birthPlace").send_keys("Serang")
        j.d.execute_script("arguments[0].value = '1990-08-15'", j.field("birthDate"))
        j.d.find_element(By.CSS_SELECTOR, "input[name=sex][value=P]").click()
        Select(j.field("maritalStatus")).select_by_index(2)
        j.field("phone").send_keys("081234567890")
        j.field("address").send_keys("Jl. Ki Mas Jong No. 5")
        Select(j.field("regionCode")).select_by_value("36.73.05.1001")
        j.d.find_element(By.NAME, "consentMembership").click()
        j.shot("form")
        time.sleep(3.5)  # the form refuses posts faster than a person types
        j.submit("/daftar")
        error = j.d.find_element(By.XPATH, "//input[@name='nik']/ancestor::label/following-sibling::p[@class='field-error'][1]").text
        assert "NIK" in error and "16" in error, f"NIK error not clear: {error!r}"
        j.shot("nik-refused")
        j.field("nik").clear()
        j.field("nik").send_keys("3673055508900001")
        j.submit("/daftar")
        j.expect("Pendaftaran diterima")
        j.shot("registered")
    finally:
        j.quit()

    official = Journey(base, out, "membership-official")
    try:
        official.login("admin", password)
        official.go("/members?status=pending")
        official.follow("Siti Aminah")
        assert "3673055508900001" not in official.text(), "the member page shows the whole NIK"
        official.shot("pending")
        official.submit("/verify")
        official.submit("/activate")
        official.expect("Nomor KTA")
        official.shot("active")
        card = official.d.find_element(By.PARTIAL_LINK_TEXT, "Cetak KTA").get_attribute("href")
        verify = official.d.find_element(By.PARTIAL_LINK_TEXT, "Halaman verifikasi").get_attribute("href")
        png = official.d.find_element(By.PARTIAL_LINK_TEXT, "Unduh KTA (PNG)").get_attribute("href")
        status, kind, size = official.d.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "fetch(arguments[0]).then(async r => done([r.status, r.headers.get('content-type'), (await r.arrayBuffer()).byteLength]))",
            png)
        assert status == 200 and kind == "image/png" and size > 10000, f"the PNG card: {status} {kind} {size} bytes"
        official.d.get(card)
        source = official.d.page_source
        assert "<svg" in source and "SITI AMINAH" in source.upper(), "the card has no name"
        official.shot("card")
    finally:
        official.quit()

    public = Journey(base, out, "membership-qr")
    try:
        public.d.get(verify)
        public.expect("KTA sah")
        public.expect("S. A.")
        assert "Aminah" not in public.text() and "3673055508900001" not in public.text(), "the QR page shows personal data"
        public.shot("verified")
    finally:
        public.quit()


def events(base, password, out):
    """A member registers; the branch activates the card; a hybrid event checks her in by the
    typed KTA number, records the online audience, and shows both counts."""
    import time
    from selenium.webdriver.support.ui import Select
    j = Journey(base, out, "events")
    try:
        j.go("/daftar")
        j.field("fullName").send_keys("Siti Aminah")
        j.field("nik").send_keys("3673045208850001")
        j.d.execute_script("document.querySelector('[name=birthDate]').value='1985-08-12'")
        j.d.find_element(By.CSS_SELECTOR, "input[name=sex][value=P]").click()
        Select(j.field("maritalStatus")).select_by_index(2)
        j.field("phone").send_keys("081234567890")
        j.field("address").send_keys("Jl. Raya Curug No. 5")
        Select(j.field("regionCode")).select_by_value("36.73.04.1001")
        j.field("consentMembership").click()
        j.field("consentContact").click()
        time.sleep(3.5)  # the public form refuses posts faster than a person types
        j.d.find_element(By.CSS_SELECTOR, "form[action='/daftar'] button[type=submit]").click()
        j.login("admin", password)
        j.go("/members")
        j.d.find_element(By.PARTIAL_LINK_TEXT, "Siti Aminah").click()
        member = j.d.current_url
        for action in ("verify", "activate"):
            j.d.find_element(By.CSS_SELECTOR, f"form[action$='/{action}'] button[type=submit]").click()
            j.d.get(member)
        number = j.d.find_element(By.CSS_SELECTOR, "dd.mono").text.strip()
        assert number, "no KTA number after activation"

        j.go("/programmes")
        j.shot("programmes")
        j.go("/events")
        Select(j.field("unitID")).select_by_visible_text("DPC Curug") if "DPC Curug" in j.text() else None
        j.field("title").send_keys("Konsolidasi Kader Curug")
        Select(j.field("mode")).select_by_value("hybrid")
        j.d.execute_script("document.querySelector('[name=startsAt]').value='2030-12-01T09:00'")
        j.field("venue").send_keys("Aula Kecamatan Curug")
        j.field("onlineURL").send_keys("https://youtube.com/live/konsolidasi")
        j.shot("new")
        j.submit("/events")
        j.expect("Konsolidasi Kader Curug")
        j.field("scan").send_keys(number)
        j.submit("/checkins")
        j.expect("Siti Aminah hadir")
        j.shot("checked-in")
        j.field("source").send_keys("YouTube DPD")
        j.field("viewers").send_keys("1.808")
        j.submit("/online")
        hall = j.d.find_element(By.ID, "count-hall").text
        online = j.d.find_element(By.ID, "count-online").text
        assert (hall, online) == ("1", "1.808"), (hall, online)
        j.shot("counts")
        j.go("/events/reminders")
        j.shot("reminders")
        j.go("/monitoring")
        j.shot("risk")
        j.go("/monitoring/reports")
        j.shot("reports")
    finally:
        j.quit()


JOURNEYS = {"membership": membership, "electoral": electoral, "tally": tally, "service": service, "events": events}


def main():
    base, password, out = sys.argv[1:4]
    names = sys.argv[4:] or list(JOURNEYS)
    os.makedirs(out, exist_ok=True)
    for name in names:
        JOURNEYS[name](base.rstrip("/"), password, out)
        print(f"journey {name}: ok")


def api(base, method, path, token=None, body=None):
    """A JSON call to /api/v1 (setup the pages do not need to show)."""
    import json
    import urllib.request
    req = urllib.request.Request(base + path, method=method, data=json.dumps(body).encode() if body is not None else None)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(req) as res:
        return json.loads(res.read() or b"null")


def cadre(base, password, out):
    """cadre: a DPC secretary runs a training on a phone: creates it, adds sessions, checks a member in
    by typing the KTA number, lists a guest from another party, issues certificates, then looks
    at the ladder and who is ready for promotion; the certificate's QR page shows initials only."""
    import datetime
    import random
    from selenium.webdriver.support.ui import Select, WebDriverWait
    # Setup through the API: one active member in Kelurahan 36.73.05.1001 (a fresh NIK serial,
    # so the journey can run again on the same server).
    token = api(base, "POST", "/api/v1/auth/token", body={"username": "admin", "password": password})["token"]
    member = api(base, "POST", "/api/v1/members", token, {
        "fullName": "Nur Aisyah", "nik": "367305650490%04d" % random.randint(1, 9999), "birthDate": "1990-04-25", "sex": "P", "phone": "081298765432",
        "address": "Jl. Bhayangkara 7", "regionCode": "36.73.05.1001", "maritalStatus": "kawin", "consentMembership": "on"})
    api(base, "POST", f"/api/v1/members/{member['id']}/verify", token)
    number = api(base, "POST", f"/api/v1/members/{member['id']}/activate", token)["number"]
    today = datetime.date.today()
    j = Journey(base, out, "cadre")

    def submit(part):
        """Submit the form and wait for the next page to load."""
        old = j.d.find_element(By.TAG_NAME, "html")
        j.submit(part)

        def gone(_):
            try:
                old.is_enabled()
                return False
            except Exception:  # stale, or no longer in the document
                return True
        WebDriverWait(j.d, 15).until(gone)
        WebDriverWait(j.d, 15).until(lambda d: d.find_elements(By.TAG_NAME, "body"))

    try:
        j.login("admin", password)
        WebDriverWait(j.d, 10).until(lambda d: "/login" not in d.current_url)
        j.go("/cadre/trainings")
        Select(j.field("unitID")).select_by_index(0)
        j.field("title").send_keys("Sekolah Politik Perempuan KPPI")
        Select(j.field("tier")).select_by_value("1")
        j.field("organiser").send_keys("KPPI Kota Serang")
        j.field("audience").send_keys("Kader perempuan lintas partai")
        j.field("curriculum").send_keys("Ideologi dan platform partai\nKepemimpinan perempuan\nKomunikasi politik")
        j.field("location").send_keys("Aula DPD, Serang")
        for name, day in (("startsOn", today - datetime.timedelta(days=1)), ("endsOn", today)):
            j.d.execute_script("arguments[0].value = arguments[1]", j.field(name), day.isoformat())
        j.shot("new-training")
        submit("/cadre/trainings")
        j.expect("Pelatihan dibuat")
        for title, day in (("Ideologi dan platform partai", today - datetime.timedelta(days=1)), ("Kepemimpinan perempuan", today)):
            j.field("title").send_keys(title)
            j.field("trainer").send_keys("Hj. Ratu Tatu")
            j.d.execute_script("arguments[0].value = arguments[1]", j.field("day"), day.isoformat())
            j.d.execute_script("arguments[0].value = '08:30'", j.field("startsAt"))
            submit("/sessions")
            j.expect("Sesi ditambahkan")
        j.shot("sessions")
        # The check-in desk: the KTA number typed (the camera button scans the QR on a real phone).
        Select(j.d.find_element(By.CSS_SELECTOR, "form[action$='/checkin'] select[name=sessionID]")).select_by_index(0)
        j.d.find_element(By.CSS_SELECTOR, "form[action$='/checkin'] input[name=scan]").send_keys(number)
        submit("/checkin")
        j.expect("Nur Aisyah hadir di sesi")
        j.shot("checked-in")
        j.d.find_element(By.CSS_SELECTOR, "form[action$='/participants'] input[name=fullName]").send_keys("Rina Marlina")
        j.field("organisation").send_keys("KPPI, Partai Lain")
        j.field("phone").send_keys("081311112222")
        submit("/participants")
        j.expect("Rina Marlina terdaftar")
        assert "081311112222" not in j.text(), "the guest's phone is shown unmasked"
        # The list method for the second session: tick both.
        Select(j.d.find_element(By.CSS_SELECTOR, "form[action$='/attendance'] select[name=sessionID]")).select_by_index(1)
        for box in j.d.find_elements(By.CSS_SELECTOR, "form[action$='/attendance'] input[type=checkbox]"):
            if not box.is_selected():
                box.click()
        submit("/attendance")
        j.expect("2 peserta hadir")
        j.shot("attendance")
        submit("/certificates")
        j.expect("sertifikat diterbitkan")
        j.shot("certificates")
        code = j.d.find_element(By.CSS_SELECTOR, "a[href^='/cadre/certificates/']").text.strip()
        j.go("/cadre/certificates/" + code)
        assert "SERTIFIKAT" in j.d.page_source, "the certificate SVG did not load"
        j.step += 1
        j.d.set_window_size(1123, 794)  # A4 landscape at 96 dpi; an SVG document has no body to measure
        j.d.save_screenshot(f"{out}/cadre-{j.step:02d}-certificate.png")
        j.d.set_window_size(412, 915)
        j.go("/cadre")
        j.expect("Tangga jenjang")
        j.shot("ladder")
        j.go("/cadre/ready?all=on")
        j.expect("Nur Aisyah")
        j.shot("ready")
        j.d.find_element(By.PARTIAL_LINK_TEXT, "Nur Aisyah").click()
        j.expect("Menuju Kader Pratama")
        j.shot("member")
        # A growth target for the branch from today: +50 % active members in two years, per DPC.
        j.go("/cadre/targets")
        j.field("title").send_keys("Anggota aktif naik 50% dalam dua tahun")
        Select(j.field("measure")).select_by_value("members")
        j.field("percent").send_keys("50")
        j.d.execute_script("arguments[0].value = arguments[1]", j.field("deadline"), (today + datetime.timedelta(days=730)).isoformat())
        submit("/cadre/targets")
        j.expect("Cara menghitung")
        j.shot("target")
        j.d.delete_all_cookies()
        j.go("/sertifikat/" + code)
        j.expect("Sertifikat sah")
        assert "Nur Aisyah" not in j.text(), "the public certificate check shows the name"
        j.shot("public-check")
    finally:
        j.quit()


JOURNEYS["cadre"] = cadre


if __name__ == "__main__":
    main()

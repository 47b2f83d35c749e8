"""Browser journeys through a running Simpul in headless Chromium (412 px, a phone).

Each journey clicks through the real pages as a person would, asserts what they should
see, and saves a screenshot of every step.

Usage:
  python3 browser/journeys.py BASE_URL ADMIN_PASSWORD OUTDIR [journey ...]

The server must be fresh (first start) with SIMPUL_PARTY_NAME=PKS, and a witness account
`saksi1` (role saksi on 36.73.05.1001, password "saksi-rahasia-1") created with
`simpul admin create`. Journeys: electoral (results import, seats, seat planner),
tally (a witness sends a tally from the phone form; the roll-up shows it), service (a
citizen files a request, fixes a bad phone number, checks the request by its code), events
(a member is activated, a hybrid event checks her in by KTA number, online count, both counts).
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
        height = self.d.execute_script("return document.body.scrollHeight")
        self.d.set_window_size(412, min(max(915, height + 40), 6000))
        path = f"{self.out}/{self.name}-{self.step:02d}-{label}.png"
        self.d.save_screenshot(path)
        self.d.set_window_size(412, 915)
        return path

    def go(self, path):
        self.d.get(self.base + path)

    def text(self):
        return self.d.find_element(By.TAG_NAME, "body").text

    def expect(self, needle):
        assert needle in self.text(), f"{self.name} step {self.step}: expected {needle!r} on {self.d.current_url}"

    def login(self, user, password):
        self.go("/login")
        self.d.find_element(By.NAME, "username").send_keys(user)
        self.d.find_element(By.NAME, "password").send_keys(password)
        self.d.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()

    def field(self, name):
        return self.d.find_element(By.NAME, name)

    def submit(self, form_action_part):
        self.d.find_element(By.CSS_SELECTOR, f"form[action*='{form_action_part}'] button[type=submit]").click()

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
        j.d.find_element(By.PARTIAL_LINK_TEXT, "TPS 001").click()
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
        j.d.find_element(By.CSS_SELECTOR, "form[action='/layanan'] button[type=submit]").click()
        j.expect("Nomor HP")
        j.shot("refused")
        j.field("phone").clear()
        j.field("phone").send_keys("081234567890")
        j.d.find_element(By.CSS_SELECTOR, "form[action='/layanan'] button[type=submit]").click()
        code = j.d.find_element(By.CSS_SELECTOR, ".code").text.strip()
        assert code, "no tracking code on the receipt"
        j.shot("receipt")
        j.go("/layanan/cek?kode=" + code)
        j.expect(code)
        assert "Siti Aminah" not in j.text() and "081234567890" not in j.text(), "the public check shows personal data"
        j.shot("check")
    finally:
        j.quit()


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


JOURNEYS = {"electoral": electoral, "tally": tally, "service": service, "events": events}


def main():
    base, password, out = sys.argv[1:4]
    names = sys.argv[4:] or list(JOURNEYS)
    os.makedirs(out, exist_ok=True)
    for name in names:
        JOURNEYS[name](base.rstrip("/"), password, out)
        print(f"journey {name}: ok")


if __name__ == "__main__":
    main()

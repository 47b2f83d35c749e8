"""Headless Chromium tour of a running Simpul: signs in and saves screenshots.

Usage: python3 browser/screens.py http://127.0.0.1:8080 USER PASSWORD OUTDIR
"""
import os
import sys

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By


def driver(width=412, height=915):
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", f"--window-size={width},{height}"):
        opts.add_argument(arg)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)


def main():
    base, user, password, out = sys.argv[1:5]
    os.makedirs(out, exist_ok=True)
    d = driver()
    try:
        d.get(base + "/login")
        d.save_screenshot(f"{out}/01-login.png")
        d.find_element(By.NAME, "username").send_keys(user)
        d.find_element(By.NAME, "password").send_keys(password)
        d.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
        d.save_screenshot(f"{out}/02-dashboard.png")
        for i, path in enumerate(sys.argv[5:], start=3):
            d.get(base + path)
            name = path.strip("/").replace("/", "-").replace("?", "_") or "root"
            d.save_screenshot(f"{out}/{i:02d}-{name}.png")
        print("screenshots in", out)
    finally:
        d.quit()


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Synthetic but valid member lists for benchmarks and load tests.

Every NIK is valid for a real Kemendagri kecamatan code and agrees with the birth date and
sex in the row (women: day + 40); every member is 17 or older; villages are real Kota Serang
kelurahan codes from the shipped reference file. Deterministic for a given --seed.

    python3 bench/gen_members.py --rows 1000000 --out /tmp/members.csv
"""
import argparse
import csv
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
REFERENCE = os.path.join(HERE, "..", "Sources", "SimpulServer", "Resources", "Reference", "wilayah.csv")

# Given names and family-style names by the sex they are usually given to (a "Putri" is a
# woman), so that the name agrees with the sex in the NIK; neutral ones go to both.
FIRST_F = ["Siti", "Dewi", "Rina", "Yuni", "Fitri", "Sri", "Indah", "Putri", "Iis", "Neng", "Lilis", "Enung", "Ratna",
           "Aulia", "Nabila"]
FIRST_M = ["Muhammad", "Ahmad", "Agus", "Budi", "Hendra", "Rizki", "Eko", "Wahyu", "Asep", "Ujang", "Jajang", "Rahmat",
           "Hasan", "Fauzi", "Yusuf", "Ilham", "Fajar"]
FIRST_ANY = ["Nur", "Dian", "Ade", "Dede"]
LAST_F = ["Lestari", "Rahayu", "Nurhasanah", "Hasanah", "Sari", "Suryani", "Rohmah", "Kartika", "Anggraini"]
LAST_M = ["Santoso", "Hidayat", "Saputra", "Kurniawan", "Setiawan", "Wahyudi", "Maulana", "Firmansyah", "Ramadhan",
          "Pratama", "Mulyadi", "Sulaeman", "Syahputra", "Permana", "Gunawan"]
LAST_ANY = ["Fadilah", "Purnama"]
JOBS = ["Wiraswasta", "Karyawan Swasta", "Petani", "Pedagang", "Guru", "Ibu Rumah Tangga", "Buruh",
        "Mahasiswa", "Nelayan", "PNS", "Sopir", "Perawat"]
MARITAL = ["Kawin", "Belum Kawin", "Kawin", "Cerai Hidup", "Kawin", "Cerai Mati"]


def villages():
    with open(REFERENCE, newline="", encoding="utf-8") as f:
        return [r["code"] for r in csv.DictReader(f) if r["level"] == "village" and r["code"].startswith("36.73.")]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--out", required=True)
    p.add_argument("--seed", type=int, default=2029)
    a = p.parse_args()
    rnd = random.Random(a.seed)
    codes = villages()
    serial = {}
    with open(a.out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["Nama Lengkap", "NIK", "Tempat Lahir", "Tanggal Lahir", "Jenis Kelamin", "Alamat", "RT", "RW",
                    "Kode Kelurahan", "No HP", "Pekerjaan", "Status Perkawinan"])
        for i in range(a.rows):
            village = rnd.choice(codes)
            kec = village[:8].replace(".", "")
            female = rnd.random() < 0.5
            year = rnd.randint(1950, 2006)
            month = rnd.randint(1, 12)
            day = rnd.randint(1, 28)
            key = (kec, year % 100, month, day, female)
            n = serial.get(key, 0) + 1
            if n > 9999:
                continue
            serial[key] = n
            nik = f"{kec}{day + 40 if female else day:02d}{month:02d}{year % 100:02d}{n:04d}"
            name = (f"{rnd.choice(FIRST_F + FIRST_ANY)} {rnd.choice(LAST_F + LAST_ANY)}" if female
                    else f"{rnd.choice(FIRST_M + FIRST_ANY)} {rnd.choice(LAST_M + LAST_ANY)}")
            w.writerow([name, nik, "Serang", f"{day:02d}-{month:02d}-{year}", "P" if female else "L",
                        f"Kp. {rnd.choice(LAST_M)} No. {rnd.randint(1, 200)}", f"{rnd.randint(1, 15):03d}",
                        f"{rnd.randint(1, 9):03d}", village, f"08{rnd.choice('15789')}{rnd.randint(10**8, 10**9 - 1)}",
                        rnd.choice(JOBS), rnd.choice(MARITAL)])


if __name__ == "__main__":
    main()

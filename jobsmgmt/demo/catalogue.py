"""Words the demo seed builds its agency from: employment types, sources, people's names, reasons
(titles, departments, locations and descriptions: ``postings``)."""

from __future__ import annotations

# fmt: off

EMPLOYMENT_WEIGHTS = (
    ("full_time", 70), ("part_time", 8), ("contract", 14), ("internship", 5), ("temporary", 3),
)
SOURCES = ("careers", "careers", "careers", "linkedin", "linkedin", "indeed", "naukri",
           "referral", "agency")
FIRST_NAMES = (
    "Aarav", "Aisha", "Akira", "Alejandro", "Amara", "Ananya", "Ben", "Camila", "Chen", "Chloe",
    "Daniel", "Diego", "Elena", "Emeka", "Fatima", "Freya", "Gabriel", "Hana", "Ibrahim",
    "Ines", "Isaac", "Jana", "Jonas", "Kai", "Kavya", "Leila", "Liam", "Lucia", "Mateo", "Maya",
    "Mei", "Mohammed", "Nadia", "Noah", "Olga", "Omar", "Priya", "Rahul", "Rosa", "Sam",
    "Sara", "Sofia", "Tariq", "Tomas", "Uma", "Victor", "Wei", "Yara", "Yusuf", "Zoe",
)
LAST_NAMES = (
    "Adeyemi", "Andersson", "Bauer", "Brown", "Chen", "Costa", "Das", "Dubois", "Fischer",
    "Garcia", "Gupta", "Hansen", "Hernandez", "Ivanova", "Jensen", "Kim", "Kowalski", "Kumar",
    "Larsen", "Lee", "Lopez", "Martin", "Meyer", "Moreau", "Nakamura", "Nguyen", "Novak",
    "Okafor", "Olsen", "Patel", "Pereira", "Petrov", "Rossi", "Santos", "Schmidt", "Silva",
    "Singh", "Smith", "Suzuki", "Tanaka", "Tran", "Wang", "Weber", "Williams", "Wong", "Yilmaz",
)
REASONS = {
    "open": ("Approved headcount", "Budget signed off", None, None),
    "on_hold": ("Hiring freeze", "Waiting for budget", "Team re-organisation"),
    "closed": ("Position filled", "Deadline reached", "Role cancelled", None),
    "archived": ("No longer needed", "Cleanup", None),
}
# fmt: on

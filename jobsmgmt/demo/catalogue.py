"""Words the demo seed builds its agency from: titles, departments, skills, people's names."""

from __future__ import annotations

# fmt: off

DEPARTMENTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # department: (job titles, skills)
    "Engineering": (
        ("Backend Engineer", "Frontend Engineer", "Site Reliability Engineer", "QA Engineer",
         "Mobile Developer", "Platform Engineer"),
        ("Python", "Java", "JavaScript", "TypeScript", "Go", "SQL", "Docker", "Kubernetes",
         "AWS", "React", "C++", "Linux"),
    ),
    "Data": (
        ("Data Engineer", "Data Analyst", "Data Scientist", "Machine Learning Engineer",
         "Analytics Engineer"),
        ("Python", "SQL", "Spark", "Airflow", "dbt", "Statistics", "Pandas", "Tableau",
         "Machine Learning", "Kafka"),
    ),
    "Design": (
        ("Product Designer", "UX Researcher", "Visual Designer", "Design Systems Lead"),
        ("Figma", "Prototyping", "User Research", "Accessibility", "Illustration",
         "Design Systems", "HTML", "CSS"),
    ),
    "Sales": (
        ("Account Executive", "Sales Development Representative", "Sales Engineer",
         "Account Manager"),
        ("Salesforce", "Negotiation", "Prospecting", "CRM", "Presentations", "SaaS",
         "Forecasting"),
    ),
    "Marketing": (
        ("Content Marketer", "Growth Marketer", "SEO Specialist", "Marketing Manager"),
        ("SEO", "Copywriting", "Google Analytics", "HubSpot", "Social Media", "Email Marketing",
         "Branding"),
    ),
    "Finance": (
        ("Financial Analyst", "Accountant", "Controller", "Payroll Specialist"),
        ("Excel", "IFRS", "SAP", "Budgeting", "Forecasting", "Audit", "Tax"),
    ),
    "People": (
        ("Recruiter", "HR Business Partner", "People Operations Specialist",
         "Learning Coordinator"),
        ("Interviewing", "Workday", "Employment Law", "Onboarding", "Coaching", "Payroll"),
    ),
    "Customer Success": (
        ("Support Specialist", "Customer Success Manager", "Technical Support Engineer",
         "Implementation Consultant"),
        ("Zendesk", "SQL", "Communication", "Troubleshooting", "Onboarding", "Jira", "SaaS"),
    ),
}
SENIORITY = ("", "", "Junior ", "Senior ", "Senior ", "Lead ", "Principal ")
LOCATIONS = (
    "Remote", "Berlin", "London", "Bengaluru", "Mumbai", "New York", "Austin", "Toronto",
    "Amsterdam", "Singapore", "Sydney", "Lisbon", "Warsaw", "Pune",
)
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

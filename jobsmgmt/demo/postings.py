"""Job postings for the demo seed with the cardinality and length of real ones.

Real titles carry a level, a role, a specialisation and often a team, a place or a requisition
number ("Senior Backend Engineer, Payments – Checkout Team", "Data Analyst II, Growth
(Lisbon)", "Account Executive, Mid-Market #R48213"): at 10k jobs most titles are distinct, so a
search cannot lean on a few hundred repeated strings. Departments (28) map to job families;
locations (hundreds) are cities, hybrid and remote variants, picked with a long tail; the
descriptions (600–4,000 characters) are built from the family's duties and skills.
Everything comes from the caller's ``random.Random``: the same seed gives the same postings.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from itertools import accumulate

# fmt: off

# family: (roles, specialisations, skills, duties)
FAMILIES: dict[str, tuple[tuple[str, ...], ...]] = {
    "engineering": (
        ("Software Engineer", "Backend Engineer", "Frontend Engineer", "Full Stack Developer",
         "Mobile Developer", "Site Reliability Engineer", "Platform Engineer", "QA Engineer",
         "Embedded Software Engineer", "Engineering Manager"),
        ("Payments", "Checkout", "Search", "Identity", "Billing", "Core API", "Mobile Apps",
         "Developer Experience", "Observability", "Storage", "Integrations", "Notifications",
         "Growth", "Marketplace", "iOS", "Android", "Web Platform", "Edge Network"),
        ("Python", "Java", "JavaScript", "TypeScript", "Go", "Rust", "SQL", "PostgreSQL",
         "Docker", "Kubernetes", "AWS", "GCP", "React", "Kotlin", "Swift", "C++", "Linux",
         "Terraform", "Kafka", "Redis"),
        ("design, build and run services that handle millions of requests a day",
         "review code and keep the bar for readability and tests high",
         "break large changes into small, safe releases behind feature flags",
         "take part in a fair, well-paid on-call rotation and improve what pages you",
         "work with product managers and designers from the first sketch to the launch",
         "profile slow paths and make them fast, with numbers before and after",
         "write design documents and discuss trade-offs openly",
         "mentor engineers earlier in their careers",
         "keep our dependencies current and our builds reproducible",
         "automate the boring parts of deploying, testing and monitoring",
         "own features end to end, including the database migrations they need",
         "help us retire legacy systems without surprising our customers"),
    ),
    "data": (
        ("Data Engineer", "Data Analyst", "Data Scientist", "Machine Learning Engineer",
         "Analytics Engineer", "BI Developer", "Research Scientist"),
        ("Growth", "Pricing", "Risk", "Fraud", "Recommendations", "Forecasting",
         "Experimentation", "Customer Insights", "Supply Chain", "Marketing Analytics",
         "Data Platform", "Computer Vision", "NLP"),
        ("Python", "SQL", "Spark", "Airflow", "dbt", "Statistics", "Pandas", "Tableau",
         "Looker", "Machine Learning", "Kafka", "BigQuery", "Snowflake", "PyTorch", "R"),
        ("build reliable pipelines from our product databases into the warehouse",
         "design experiments and explain their results to non-specialists",
         "turn vague business questions into precise, answerable ones",
         "build and monitor models that run in production",
         "own core data sets and document what every column means",
         "work with engineers to instrument new features before they launch",
         "create dashboards that people actually use",
         "improve data quality with tests, alerts and clear ownership",
         "share what you learn in internal talks and write-ups",
         "estimate the impact of decisions before we make them"),
    ),
    "design": (
        ("Product Designer", "UX Researcher", "Visual Designer", "Content Designer",
         "Design Systems Lead", "UX Writer", "Motion Designer"),
        ("Onboarding", "Mobile", "Design System", "Checkout", "Accessibility", "Brand",
         "Enterprise", "Self-Serve", "Localisation"),
        ("Figma", "Prototyping", "User Research", "Accessibility", "Illustration",
         "Design Systems", "HTML", "CSS", "Usability Testing", "Information Architecture"),
        ("run interviews and usability tests and share what you learn",
         "turn research into flows, prototypes and polished interfaces",
         "contribute components and guidelines to our design system",
         "make sure what we ship works with a keyboard and a screen reader",
         "work closely with engineers during implementation",
         "write interface copy that is short, clear and kind",
         "define how we measure whether a design worked",
         "present your work and invite critique early"),
    ),
    "product": (
        ("Product Manager", "Technical Product Manager", "Product Owner", "Product Analyst",
         "Group Product Manager"),
        ("Payments", "Platform", "Growth", "Mobile", "Integrations", "Marketplace",
         "Enterprise", "Self-Serve", "Billing", "Search"),
        ("Roadmapping", "Discovery", "SQL", "Experimentation", "Stakeholder Management",
         "Jira", "Analytics", "Pricing"),
        ("own the roadmap for your area and explain the why behind it",
         "talk to customers every week",
         "write crisp problem statements and success metrics",
         "decide what not to build, and say so",
         "work with engineering and design as one team",
         "track adoption after launch and iterate",
         "coordinate launches with marketing, sales and support"),
    ),
    "sales": (
        ("Account Executive", "Sales Development Representative", "Sales Engineer",
         "Account Manager", "Enterprise Account Executive", "Sales Manager",
         "Partnerships Manager"),
        ("Mid-Market", "Enterprise", "SMB", "Public Sector", "Strategic Accounts",
         "New Business", "Channel", "Financial Services", "Healthcare", "Retail"),
        ("Salesforce", "Negotiation", "Prospecting", "CRM", "Presentations", "SaaS",
         "Forecasting", "Solution Selling", "MEDDICC", "HubSpot"),
        ("build and manage a healthy pipeline in your territory",
         "run discovery calls and tailored demos",
         "negotiate and close multi-year agreements",
         "work with solution engineers on technical evaluations",
         "keep the CRM accurate so forecasts can be trusted",
         "share customer feedback with product",
         "expand existing accounts into new teams and regions"),
    ),
    "marketing": (
        ("Content Marketer", "Growth Marketer", "SEO Specialist", "Marketing Manager",
         "Product Marketing Manager", "Brand Designer", "Community Manager",
         "Demand Generation Manager"),
        ("Lifecycle", "Paid Social", "Events", "Developer Relations", "Partner Marketing",
         "Field Marketing", "Brand", "Content", "Localisation"),
        ("SEO", "Copywriting", "Google Analytics", "HubSpot", "Social Media",
         "Email Marketing", "Branding", "Marketo", "A/B Testing", "Video"),
        ("plan and run campaigns from brief to results",
         "write and edit content for the web, email and social",
         "work with sales on messaging that wins deals",
         "measure what works and stop what does not",
         "manage agencies and freelancers where it helps",
         "grow our community of customers and partners",
         "own a marketing budget and spend it well"),
    ),
    "finance": (
        ("Financial Analyst", "Accountant", "Controller", "Payroll Specialist",
         "FP&A Manager", "Tax Manager", "Treasury Analyst", "Billing Specialist"),
        ("Revenue", "Procurement", "Consolidation", "Payroll", "Tax", "Audit", "Treasury",
         "Accounts Payable", "Accounts Receivable"),
        ("Excel", "IFRS", "US GAAP", "SAP", "NetSuite", "Budgeting", "Forecasting", "Audit",
         "Tax", "Power BI"),
        ("close the books each month accurately and on time",
         "build the budget and forecast with department heads",
         "prepare board and investor reporting",
         "improve controls and automate manual steps",
         "work with auditors and tax advisers",
         "model pricing and investment decisions",
         "keep vendor payments and collections running smoothly"),
    ),
    "people": (
        ("Recruiter", "Technical Recruiter", "HR Business Partner",
         "People Operations Specialist", "Learning Coordinator", "Talent Sourcer",
         "Compensation Analyst", "Workplace Coordinator"),
        ("Engineering Hiring", "Go-to-Market Hiring", "Executive Search", "Employer Brand",
         "Benefits", "Learning & Development", "Employee Relations", "Onboarding"),
        ("Interviewing", "Workday", "Greenhouse", "Employment Law", "Onboarding", "Coaching",
         "Payroll", "Sourcing", "Compensation"),
        ("partner with hiring managers from intake to offer",
         "make every candidate's experience respectful and quick",
         "run fair, structured interviews",
         "support managers with performance and growth conversations",
         "improve onboarding so new joiners feel productive fast",
         "keep people data accurate and private",
         "design programmes that help people learn"),
    ),
    "support": (
        ("Support Specialist", "Customer Success Manager", "Technical Support Engineer",
         "Implementation Consultant", "Support Team Lead", "Onboarding Specialist",
         "Solutions Consultant"),
        ("Enterprise", "SMB", "Tier 2", "Integrations", "Onboarding", "Escalations",
         "Premium Support", "Follow-the-Sun"),
        ("Zendesk", "SQL", "Communication", "Troubleshooting", "Onboarding", "Jira", "SaaS",
         "APIs", "Salesforce"),
        ("answer customer questions by chat, email and phone",
         "reproduce and document bugs for engineering",
         "onboard new customers and get them to value quickly",
         "write help-centre articles that reduce tickets",
         "spot accounts at risk and act early",
         "run quarterly reviews with key customers",
         "share patterns from tickets with the product team"),
    ),
    "operations": (
        ("Operations Manager", "Business Operations Analyst", "Program Manager",
         "Supply Chain Analyst", "Logistics Coordinator", "Office Manager",
         "Procurement Specialist", "Facilities Coordinator"),
        ("Revenue Operations", "Sales Operations", "Strategy", "Logistics", "Fulfilment",
         "Vendor Management", "Workplace", "Planning"),
        ("Excel", "SQL", "Process Design", "Project Management", "Salesforce", "Logistics",
         "Negotiation", "Lean"),
        ("design processes that scale with the company",
         "own planning cycles and the data behind them",
         "manage vendors and contracts",
         "run cross-team programmes to a clear finish",
         "find and remove bottlenecks",
         "report on the metrics that run the business"),
    ),
    "security": (
        ("Security Engineer", "Security Analyst", "Application Security Engineer",
         "Cloud Security Engineer", "GRC Specialist", "Penetration Tester"),
        ("Detection & Response", "AppSec", "Cloud", "Identity", "Compliance", "Red Team",
         "Vulnerability Management"),
        ("Threat Modeling", "SIEM", "AWS", "Python", "ISO 27001", "SOC 2", "Incident Response",
         "Burp Suite", "Kubernetes"),
        ("threat-model new features with their teams",
         "run and improve our incident response",
         "build tooling that makes the secure way the easy way",
         "manage audits such as SOC 2 and ISO 27001",
         "triage reports from our bug bounty programme",
         "harden our cloud accounts and CI pipelines"),
    ),
    "legal": (
        ("Legal Counsel", "Paralegal", "Privacy Counsel", "Contracts Manager",
         "Compliance Officer"),
        ("Commercial", "Privacy", "Employment", "Corporate", "Regulatory", "IP"),
        ("Contract Drafting", "GDPR", "Negotiation", "Compliance", "Employment Law",
         "Corporate Law"),
        ("draft and negotiate customer and vendor contracts",
         "advise teams on privacy and data protection",
         "keep our policies current with regulation",
         "support corporate transactions and filings",
         "train colleagues on what the law asks of them"),
    ),
}
# department: family (28 departments; several share a family, as in real agencies)
DEPARTMENT_FAMILIES: dict[str, str] = {
    "Engineering": "engineering", "Platform Engineering": "engineering",
    "Infrastructure": "engineering", "Mobile": "engineering", "Quality Assurance": "engineering",
    "Data": "data", "Data Science": "data", "Business Intelligence": "data",
    "Design": "design", "User Research": "design",
    "Product": "product", "Product Operations": "product",
    "Sales": "sales", "Sales EMEA": "sales", "Sales APAC": "sales", "Partnerships": "sales",
    "Marketing": "marketing", "Communications": "marketing",
    "Finance": "finance", "Accounting": "finance",
    "People": "people", "Talent Acquisition": "people",
    "Customer Success": "support", "Customer Support": "support",
    "Operations": "operations", "Supply Chain": "operations",
    "Security": "security", "Legal": "legal",
}
LEVELS = (("", 30), ("Junior ", 8), ("Senior ", 24), ("Staff ", 5), ("Principal ", 3),
          ("Lead ", 8), ("Associate ", 5), ("Head of ", 2))
GRADES = ("", "", "", "", " I", " II", " III")
TEAMS = ("Checkout Team", "Core Team", "Platform Team", "Growth Squad", "Tiger Team",
         "New Markets", "Enterprise Pod", "Night Shift", "Special Projects", "Team Atlas",
         "Team Orion", "Team Nova", "Team Aurora", "Customer Zero", "Launch Team",
         "Reliability Guild", "Expansion Team", "Team Helix", "Team Falcon", "Team Juniper")
CITIES = (
    ("Berlin", "Germany"), ("Munich", "Germany"), ("Hamburg", "Germany"),
    ("Frankfurt", "Germany"), ("Cologne", "Germany"), ("London", "United Kingdom"),
    ("Manchester", "United Kingdom"), ("Edinburgh", "United Kingdom"),
    ("Bristol", "United Kingdom"), ("Dublin", "Ireland"), ("Cork", "Ireland"),
    ("Paris", "France"), ("Lyon", "France"), ("Toulouse", "France"),
    ("Amsterdam", "Netherlands"), ("Rotterdam", "Netherlands"), ("Utrecht", "Netherlands"),
    ("Brussels", "Belgium"), ("Antwerp", "Belgium"), ("Lisbon", "Portugal"),
    ("Porto", "Portugal"), ("Madrid", "Spain"), ("Barcelona", "Spain"), ("Valencia", "Spain"),
    ("Milan", "Italy"), ("Rome", "Italy"), ("Turin", "Italy"), ("Zurich", "Switzerland"),
    ("Geneva", "Switzerland"), ("Vienna", "Austria"), ("Prague", "Czechia"),
    ("Brno", "Czechia"), ("Warsaw", "Poland"), ("Krakow", "Poland"), ("Wroclaw", "Poland"),
    ("Budapest", "Hungary"), ("Bucharest", "Romania"), ("Cluj-Napoca", "Romania"),
    ("Sofia", "Bulgaria"), ("Athens", "Greece"), ("Stockholm", "Sweden"),
    ("Gothenburg", "Sweden"), ("Copenhagen", "Denmark"), ("Aarhus", "Denmark"),
    ("Oslo", "Norway"), ("Helsinki", "Finland"), ("Tallinn", "Estonia"), ("Riga", "Latvia"),
    ("Vilnius", "Lithuania"), ("Istanbul", "Turkey"), ("Tel Aviv", "Israel"),
    ("Dubai", "United Arab Emirates"), ("Abu Dhabi", "United Arab Emirates"),
    ("Riyadh", "Saudi Arabia"), ("Cairo", "Egypt"), ("Lagos", "Nigeria"),
    ("Nairobi", "Kenya"), ("Cape Town", "South Africa"), ("Johannesburg", "South Africa"),
    ("Bengaluru", "India"), ("Mumbai", "India"), ("Pune", "India"), ("Hyderabad", "India"),
    ("Chennai", "India"), ("Gurugram", "India"), ("Noida", "India"), ("Kolkata", "India"),
    ("Ahmedabad", "India"), ("Kochi", "India"), ("Singapore", "Singapore"),
    ("Kuala Lumpur", "Malaysia"), ("Jakarta", "Indonesia"), ("Manila", "Philippines"),
    ("Bangkok", "Thailand"), ("Ho Chi Minh City", "Vietnam"), ("Hanoi", "Vietnam"),
    ("Hong Kong", "Hong Kong"), ("Taipei", "Taiwan"), ("Seoul", "South Korea"),
    ("Tokyo", "Japan"), ("Osaka", "Japan"), ("Sydney", "Australia"),
    ("Melbourne", "Australia"), ("Brisbane", "Australia"), ("Perth", "Australia"),
    ("Auckland", "New Zealand"), ("Wellington", "New Zealand"), ("Toronto", "Canada"),
    ("Vancouver", "Canada"), ("Montreal", "Canada"), ("Ottawa", "Canada"),
    ("Calgary", "Canada"), ("New York", "United States"), ("San Francisco", "United States"),
    ("Austin", "United States"), ("Seattle", "United States"), ("Boston", "United States"),
    ("Chicago", "United States"), ("Denver", "United States"), ("Atlanta", "United States"),
    ("Los Angeles", "United States"), ("Miami", "United States"),
    ("Washington, D.C.", "United States"), ("Raleigh", "United States"),
    ("Salt Lake City", "United States"), ("Mexico City", "Mexico"),
    ("Guadalajara", "Mexico"), ("Bogota", "Colombia"), ("Medellin", "Colombia"),
    ("Lima", "Peru"), ("Santiago", "Chile"), ("Buenos Aires", "Argentina"),
    ("Sao Paulo", "Brazil"), ("Rio de Janeiro", "Brazil"), ("Montevideo", "Uruguay"),
)
REGIONS = ("EMEA", "Europe", "APAC", "Americas", "North America", "LATAM", "Worldwide",
           "CET ± 2h", "US Time Zones")
INTROS = (
    "We are a fast-growing software company helping {n} customers run their business.",
    "Our products are used every day by {n} teams in more than forty countries.",
    "We build tools that take the busywork out of hiring, trusted by {n} companies.",
    "Founded ten years ago, we are profitable, independent and {n} people strong.",
    "We are a remote-friendly company of {n} people across four continents.",
)
REQUIREMENTS = (
    "You communicate clearly in writing and in person.",
    "You enjoy working with people from different backgrounds and disciplines.",
    "You take ownership and follow through.",
    "You are comfortable with ambiguity and change.",
    "You ask for feedback and give it kindly.",
    "You can explain complex topics to people outside your field.",
    "You have a track record of finishing what you start.",
    "Fluent English; another language is a plus.",
)
BENEFITS = (
    "A competitive salary and meaningful equity.",
    "30 days of paid holiday plus public holidays.",
    "A yearly learning budget and time to use it.",
    "Private health insurance for you and your family.",
    "A pension plan with employer contributions.",
    "Flexible working hours and a home-office allowance.",
    "Paid parental leave of 20 weeks for every parent.",
    "A sabbatical after five years.",
    "A new laptop and the equipment you need.",
    "Company offsites twice a year.",
    "Mental health support through a confidential service.",
    "A bike or public-transport allowance.",
)
CLOSINGS = (
    "We welcome applications from people of every background; tell us if you need any "
    "adjustments during the process.",
    "Not sure you meet every requirement? Apply anyway: we hire for potential as well as "
    "experience.",
    "The process: a call with the recruiter, a conversation with the hiring manager, a "
    "practical exercise and a final round with the team.",
)
HOW_WE_WORK = (
    "We write things down. Decisions, designs and the reasons behind them live in documents "
    "that anyone in the company can read and comment on, so people in every time zone can "
    "take part and new joiners can catch up on why things are the way they are.",
    "We keep meetings short and few. Most collaboration happens asynchronously; the meetings "
    "we keep have an agenda, a note-taker and an end time, and they are recorded for those "
    "who cannot attend.",
    "We ship in small steps. Work is split into changes that can be reviewed in one sitting "
    "and released on their own, so we learn from real use early and can undo a mistake "
    "within minutes.",
    "We measure outcomes, not hours. Teams agree on goals each quarter, share their progress "
    "openly and are trusted to decide how to reach them.",
    "We invest in people. Every team member has a growth plan, a mentor outside their own "
    "team and a budget for courses, books and conferences, and managers are trained before "
    "they manage.",
)
# fmt: on
MIN_DESCRIPTION, MAX_DESCRIPTION = 600, 4000


def _locations() -> tuple[str, ...]:
    places = []
    countries = []
    for city, country in CITIES:
        places += [f"{city}, {country}", f"Hybrid – {city}"]
        if country not in countries:
            countries.append(country)
    places += [f"Remote – {country}" for country in countries]
    places += [f"Remote – {region}" for region in REGIONS]
    places.append("Remote")
    return tuple(places)


LOCATIONS = _locations()
DEPARTMENTS = tuple(DEPARTMENT_FAMILIES)
DEPARTMENT_WEIGHTS = tuple(
    accumulate(3.0 if family in ("engineering", "sales") else 1.0 for family in
               DEPARTMENT_FAMILIES.values())
)  # fmt: skip
# a long tail: the first places are common, most are rare (Zipf-like, as real postings are)
LOCATION_WEIGHTS = tuple(accumulate(1 / (rank + 3) ** 0.9 for rank in range(len(LOCATIONS))))


def _pick(rng: random.Random, values, cumulative) -> str:
    return values[bisect_right(cumulative, rng.random() * cumulative[-1])]


def _weighted(rng: random.Random, pairs) -> str:
    return rng.choices([v for v, _ in pairs], weights=[w for _, w in pairs])[0]


class PostingMaker:
    """Titles, departments, locations, skills and descriptions from one ``random.Random``."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        # the locations' order (hence which are common) depends on the seed too
        self.locations = list(LOCATIONS)
        rng.shuffle(self.locations)

    def posting(self) -> dict:
        rng = self.rng
        department = _pick(rng, DEPARTMENTS, DEPARTMENT_WEIGHTS)
        roles, specialisations, skill_pool, duties = FAMILIES[DEPARTMENT_FAMILIES[department]]
        location = _pick(rng, self.locations, LOCATION_WEIGHTS)
        role = rng.choice(roles)
        title = _weighted(rng, LEVELS) + role + rng.choice(GRADES)
        if rng.random() < 0.75:
            title += f", {rng.choice(specialisations)}"
        qualifier = rng.random()
        if qualifier < 0.30:
            title += f" – {rng.choice(TEAMS)}"
        elif qualifier < 0.55:
            title += f" ({location.split(',')[0].removeprefix('Hybrid – ')})"
        elif qualifier < 0.75:
            title += f" #R{rng.randrange(10_000, 100_000)}"
        skills = [] if rng.random() < 0.06 else rng.sample(skill_pool, rng.randint(2, 6))
        return {
            "title": title,
            "department": department,
            "location": location,
            "skills": skills,
            "description": self.description(title, department, location, skills, duties),
        }

    def description(self, title, department, location, skills, duties) -> str:
        rng = self.rng
        parts = [
            "About us\n" + rng.choice(INTROS).format(n=rng.choice((120, 450, 900, 2500, 8000))),
            f"The role\nAs {title} in our {department} department ({location}), you will "
            f"join a team that cares about doing good work at a sustainable pace.",
            "What you will do\n"
            + "\n".join(f"- You {d}." for d in rng.sample(duties, rng.randint(3, len(duties)))),
        ]
        if skills:
            years = rng.randint(1, 8)
            needs = [f"- {years}+ years of experience with {skills[0]}."]
            needs += [f"- Hands-on experience with {skill}." for skill in skills[1:]]
            parts.append("What you bring\n" + "\n".join(needs))
        parts.append(
            "You are\n" + "\n".join(f"- {r}" for r in rng.sample(REQUIREMENTS, rng.randint(2, 6)))
        )
        parts.append(
            "What we offer\n"
            + "\n".join(f"- {b}" for b in rng.sample(BENEFITS, rng.randint(3, len(BENEFITS))))
        )
        if rng.random() < 0.4:
            parts.append("How we work\n" + "\n\n".join(rng.sample(HOW_WE_WORK, rng.randint(1, 5))))
        parts.append(rng.choice(CLOSINGS))
        text = "\n\n".join(parts)
        while len(text) < MIN_DESCRIPTION:
            text += "\n- " + rng.choice(BENEFITS)
        if len(text) > MAX_DESCRIPTION:
            text = text[: text.rfind("\n", 0, MAX_DESCRIPTION)]
        return text

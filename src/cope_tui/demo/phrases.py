"""Phrase banks for the demo data: entirely fictional, written for cope-tui.

Kept apart from the writer so the data and the logic that assembles it can each be
read on their own.
"""

from ..meetings.models import MeetingMode

# ---- phrase lists ---------------------------------------------------------------------

ROLES = [
    "partner", "sister", "brother", "mother", "father", "adult son", "adult daughter",
    "aunt", "grandmother", "cousin", "neighbour", "friend from work", "former partner",
    "foster carer", "uncle", "flatmate",
]
WORKERS = ["worker-1", "worker-2", "worker-3", "worker-4", "worker-5"]
SERVICES = [
    "housing advice service", "GP practice", "community mental health team",
    "debt advice centre", "employment support programme", "food bank",
    "peer support group", "adult education college", "family support service",
    "recovery service", "benefits advice clinic", "tenancy sustainment team",
    "counselling service", "physiotherapy clinic", "legal advice clinic",
    "carers' centre", "volunteer centre", "dental clinic",
]
TOPICS = [
    "rent arrears", "housing repairs", "job search", "benefit review", "GP follow-up",
    "budget plan", "school meeting for the children", "peer group attendance",
    "sleep and routine", "contact arrangements", "college application",
    "debt repayment plan", "medication review", "volunteering placement",
    "utility bills", "travel to appointments", "tenancy agreement", "case plan review",
]
STRENGTHS = [
    "I never give up once I've decided something", "good with my hands, I can fix most things",
    "I keep my flat tidy even on bad days", "I'm a good listener, friends come to me",
    "I cook proper meals on a small budget", "I turned up to every appointment this month",
    "I'm honest about when things are going wrong", "patient with the kids",
    "I know how to find information online", "I kept my job through a hard winter",
    "I can make people laugh", "I ask for help sooner than I used to",
    "I'm organised with paperwork when I sit down to it", "I walk every day, rain or not",
]
COPING_POSITIVE = [
    "walking in the park", "calling family", "writing a list in the morning",
    "going to the peer group", "music with headphones on", "gardening on the allotment",
    "breathing exercise from the group", "cooking for friends", "going to the library",
    "keeping a budget notebook", "swimming at the leisure centre", "talking it through before reacting",
]
COPING_HARMFUL = [
    ("staying in bed all day", "falls behind on appointments", "others at home take on more"),
    ("drinking more at weekends", "money runs out early, poor sleep", "arguments at home"),
    ("avoiding opening post", "letters and fines build up", "landlord worried about arrears"),
    ("spending when low", "short of money for bills", "family lends money and resents it"),
    ("shutting people out", "feels more isolated", "friends stop calling"),
    ("skipping meals", "tired and irritable", "children notice and worry"),
    ("gaming through the night", "misses morning appointments", "flatmate disturbed"),
]
SOLUTIONS = [
    ("open post together at the drop-in on Mondays", "worked twice, then missed a week"),
    ("set a phone alarm for appointments the day before", "no missed appointments since"),
    ("bring a family member to the housing meeting", "felt less anxious with support"),
    ("cash envelopes for food and travel", "made the money last to payday"),
    ("one job application every weekday morning", "managed three a week so far"),
    ("walk to the group instead of waiting for the bus", "enjoys it on dry days"),
    ("text the worker when letters arrive", "used it once, helpful"),
    ("bedtime routine without the phone", "sleeping a bit better"),
]
SOLUTION_OUTCOME = dict(SOLUTIONS)
NETWORK_GROUPS = [
    "tenants group", "peer support group", "faith community", "allotment society",
    "parents' group at the school", "football team", "library reading group",
    "community kitchen", "walking group", "volunteer shop",
]
NETWORK_STRATEGY = [
    "keep the weekly phone call going", "go along once with the worker",
    "ask about the next open evening", "meet for coffee after the group",
    "agree what to say if asked about the case", "try the group for a month, then review",
    "keep contact to weekends for now", "join the online chat first",
]
NEEDS = [
    ("individual", "need", "stable and affordable housing"),
    ("individual", "right", "a benefits assessment with reasonable adjustments"),
    ("individual", "need", "regular contact with the GP about sleep"),
    ("individual", "need", "a realistic budget that covers bills"),
    ("family", "need", "respite for the main carer"),
    ("family", "right", "information about school support"),
    ("family", "need", "a quiet space for the children to do homework"),
    ("community", "need", "a safe place to meet in the evenings"),
    ("community", "right", "accessible transport to the health centre"),
    ("individual", "right", "an interpreter at appointments if wanted"),
]
DECISIONS = [
    ("whether to accept the housing offer", "accept now / wait for the next offer",
     "settled home near school", "flat is on a busy road", "offer may not come again", "accept"),
    ("whether to start the college course", "start in autumn / wait until spring",
     "qualification, routine", "less time for the job search", "benefit rules on study hours",
     "start in autumn"),
    ("how to repay the arrears", "lump sum / monthly plan", "arrears cleared faster",
     "little left for food", "plan must be kept to", "monthly plan"),
    ("whether to tell the family about the debt", "tell now / tell later / not at all",
     "support and less secrecy", "fear of their reaction", "relationship strain", "tell one relative first"),
    ("which work placement to take", "warehouse / cafe", "cafe is closer",
     "warehouse pays more", "early shifts at the warehouse", ""),
]
OUTCOMES = [
    "Housing application submitted with the client", "Budget plan agreed for the next month",
    "Client will attend the peer group twice before we next meet",
    "GP appointment booked for the sleep problems", "Referral to debt advice agreed",
    "Contact plan with the family written down", "College enquiry made together",
    "Agreed to review the coping plan next time", "Arrears payment plan accepted by landlord",
    "Client chose to delay the job search for two weeks",
]
ACTIONS = [
    ("client", "bring the latest bank statements"), ("worker", "call the housing officer"),
    ("client", "book the GP appointment"), ("worker", "send the debt advice referral"),
    ("client", "attend the peer group on Thursday"), ("worker", "chase the benefits decision"),
    ("client", "fill in the college enquiry form"), ("other", "come to the next meeting"),
    ("worker", "find the food bank voucher times"), ("client", "keep the budget notebook for a week"),
    ("other", "help sort the post on Mondays"), ("worker", "ask the school about the support plan"),
]
AGENDA_MINUTES = [None, 5, 10, 10, 15, 20]
MODES = [MeetingMode.IN_PERSON] * 6 + [MeetingMode.PHONE] * 2 + [MeetingMode.VIDEO] * 2
BOUNDARY_NOTES = [
    "", "", "", "Asked good questions about this", "Wanted it in writing as well",
    "Linked it to last year's experience with another service",
]
# The boundaries note said when an area is deferred (and only then: writer.py adds it).
DEFERRAL_NOTE = "The client asked for more time on some areas; each one deferred is recorded with its reason."
DEFERRAL_REASONS = [
    "client tired, wants to come back to it next time",
    "wants to talk it over with family first",
    "needs the written policy before agreeing",
    "ran out of time; first item next meeting",
    "upset by a letter this morning, not the right day",
]
CLIENT_NOTES = [
    "Prefers morning appointments.", "Referred by the housing office.",
    "Self-referred after a leaflet at the GP practice.", "Phone calls better than letters.",
    "Needs step-free access.", "Works shifts; check the rota before booking.",
    "Referred by the school family worker.", "Likes a written summary after each meeting.",
]
ADDENDA = [
    "Correction: the GP appointment is on the 14th, not the 12th as recorded.",
    "Client called afterwards to say the housing offer letter has arrived.",
    "Clarification: the arrears figure given was before the last payment.",
    "A relative asked to be removed as a contact for now; noted with the client's agreement.",
    "Referral status updated by phone: the service has confirmed the first session.",
]
FIELDS: dict[str, list[str]] = {
    # Most meetings leave nothing for supervision: the empty ones say so.
    "supervision": [
        "", "", "", "", "",
        "Unsure whether the risk at home needs a safeguarding referral; need a decision",
        "Client asks for more contact than we can give; advice on holding the boundary kindly",
        "Felt drawn into a family argument; how to stay neutral next time",
        "Two services give conflicting advice; who should speak to them",
        "Progress stalled for three meetings; a second view on the plan",
    ],
    "purpose": [
        "Monthly review of the case plan", "Follow up on the housing application",
        "Check progress on the budget plan", "Review referrals and support network",
        "Plan for the benefit reassessment", "Catch up after the missed meeting",
    ],
    "objectives": [
        "Agree next steps on housing and money", "Settle the actions for the next fortnight",
        "Decide about the college course", "Update the referral list and check barriers",
        "Review coping plan and agree one thing to try",
    ],
    "feedback": [
        "Says things are a bit better; sleeping more", "Feels stuck with the housing list",
        "Pleased with the peer group, wants to keep going", "Finding money very tight this month",
        "Mixed week: good days at the allotment, bad days at home",
    ],
    "not_going_well": [
        "Still not opening post regularly", "Missed two appointments at the GP",
        "Arrears have gone up again", "Low mood most mornings", "Arguments at home about money",
    ],
    "conflicts": [
        "", "", "Tension with the landlord over repairs", "Disagreement at home about the budget",
        "Felt judged at the benefits office",
    ],
    "resolution": [
        "", "Agreed to write to the landlord together", "Will raise it at the next review",
        "Talked it through; client wants to handle it alone for now",
        "Worker to make a complaint with the client's consent",
    ],
    "encouragement": [
        "Noted every appointment kept this month", "Acknowledged the effort on the budget",
        "Praised asking for help early", "Pointed out the progress since the first meeting",
    ],
}

# Note sentences per step; {other}, {service}, {topic}, {day}, {n}, {amount} are filled in.
NOTES: dict[str, list[str]] = {
    "opening": [
        "Client arrived on time and said it had been a {mood} week overall.",
        "Checked in about how they were feeling; they said tired but wanting to talk about {topic}.",
        "Their {other} came along for the first half and left before we discussed money.",
        "Reminded the client what stays private and when information might have to be shared.",
        "We built the agenda together and the client chose to start with {topic}.",
        "Client asked whether we could finish by {time} to get to an appointment at the {service}.",
        "Client was quieter than usual at the start; after a cup of tea they opened up about {topic}.",
        "Agreed that today is mainly about {topic} and checking the actions from last time.",
        "Client said the phone had been cut off for {n} days, which explained the missed call.",
        "Checked that now is still a good time; the client said yes and that they had made notes.",
        "We agreed to keep an eye on time so that {topic} does not get squeezed at the end.",
        "Client had brought the letters we talked about last time, which helped a lot.",
    ],
    "boundaries": [
        "Explained my role and what the service can and cannot do; client asked sensible questions.",
        "Went through how information is shared; client wanted to know if the {service} would see notes.",
        "Talked about how we plan together; client said they want to be asked, not told.",
        "Client recalled a poor experience with another service, so we spent extra time on roles.",
        "Explained the statutory side in plain terms and checked understanding in the client's words.",
        "We discussed how disagreements will be handled and agreed the client can ask for a different worker.",
        "Client's values around family came up; agreed these will be respected in planning.",
        "Checked understanding by asking the client to say back what they had agreed.",
        "Client said it helped to have the ground rules written down and asked for a copy.",
    ],
    "services": [
        "The {service} has been in touch; client attended the first session and found it useful.",
        "Client has not been to the {service} yet because the bus fare is {fare} pounds each way.",
        "Problem with the {service}: the waiting list is around {n} weeks; I will ask about interim support.",
        "Client felt rushed at the {service} last time and did not want to go back; we talked it through.",
        "Agreed I will go along to the {service} once to help with the first appointment.",
        "The {service} wanted documents the client did not have; we listed what to bring.",
        "Client is using the {service} weekly and says it is the best part of the week.",
        "New referral to the {service} discussed and agreed with the client before I make it.",
        "Client asked for a reminder text the day before each {service} appointment.",
        "The {service} changed its opening hours, which clashes with the client's shifts.",
        "Checked each referral in turn; two are working, one needs a phone call from me.",
    ],
    "progress": [
        "Overall the client feels things are {mood} since we last met, mainly because of {topic}.",
        "On the case plan, {topic} has moved forward but {topic2} has stalled again.",
        "Client has paid {amount} pounds towards the arrears and kept to the agreed plan so far.",
        "Client has applied for {n} jobs and had one reply asking for an interview next {day}.",
        "Housing: still on the waiting list, band unchanged; client is frustrated but not giving up.",
        "I asked directly about the missed appointments; the client said mornings are very hard at the moment.",
        "There is tension with their {other} about money; the client wants to handle it themselves for now.",
        "Client has been sleeping better since the GP changed the medication and feels clearer.",
        "The budget notebook has been kept most days; food spending is down a little.",
        "Client worried about the benefit review letter; we read it together and it is routine.",
        "The children's school has asked for a meeting; client would like support to prepare.",
        "Client said they nearly cancelled today but decided to come, which we both noted as progress.",
        "Talked about the disagreement with the landlord; agreed to put the repair request in writing.",
        "Client says the peer group has helped them feel less alone with {topic}.",
        "We noticed together that the harder weeks follow the weekends with less contact.",
    ],
    "strengths": [
        "Client described themselves as someone who does not give up, and gave the {topic} example.",
        "Asked what helps on a hard day; client said {coping} and talking to their {other}.",
        "Client would like to build a habit of planning the week on a {day} evening.",
        "We looked at staying in bed as a way of coping; client could see it makes mornings worse.",
        "Client linked their patience with the children to how they handle the {service} queue.",
        "Agreed to try one small change and see how it goes before the next meeting.",
        "Client found it hard to name strengths at first, then listed {n} without prompting.",
        "Spending when low came up; we talked about effects on the client and on their {other}.",
        "Client said {coping} is the thing they rely on most and wants to keep it up.",
        "The solution tried last time partly worked; we adjusted it rather than dropping it.",
    ],
    "support": [
        "Client's {other} is the main support and phones most days.",
        "Talked about the {group}; client is interested but nervous about going alone.",
        "Client does not want their {other} involved in the case at present; respected and noted.",
        "The {group} meets on {day}s; client will try it once with a friend.",
        "Contact with the {other} has been better since they agreed to meet at weekends.",
        "Client recorded only what they are happy to have written down about others.",
        "Client has lost touch with friends from work and would like to reconnect slowly.",
        "We mapped who the client could call in a crisis; there are {n} people on the list.",
        "Client feels welcome at the {group} and goes most weeks now.",
    ],
    "needs": [
        "Client needs stable housing before other plans make sense; this is the main priority.",
        "Talked through the client's right to a benefits assessment with reasonable adjustments.",
        "The family needs respite; the {other} is doing most of the caring at the moment.",
        "Decision ahead about {topic}; we set out the options, upsides, downsides and risks.",
        "Client wanted more information before deciding; I will get the details from the {service}.",
        "Rights of the client and of the children were both considered; no conflict at present.",
        "The choice is the client's; they chose to wait {n} weeks and review, and said why.",
        "Client asked what would happen if they said no; we went through it honestly.",
        "Community need noted: there is no safe place to meet in the evenings near the estate.",
    ],
    "outcomes": [
        "Outcomes agreed and read back to the client, who was happy with them.",
        "One outcome was negotiated: client wanted longer for {topic}; we agreed {n} weeks.",
        "Actions set with owners and dates; client repeated their own actions in their words.",
        "Next meeting booked for a {day}, {mode}, at the client's request.",
        "Client understood and accepted what is theirs to do before next time.",
        "Record completed in the meeting; client did not want a printed copy this time.",
        "Agreed that I will chase the {service} and let the client know by text.",
        "Summed up progress on {topic}; client said it was good to hear it said out loud.",
        "Client asked to bring their {other} to the next meeting; agreed.",
    ],
}
FILL: dict[str, list[str]] = {
    "mood": ["mixed", "better", "hard", "calmer", "busy", "difficult", "steadier"],
    "day": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"],
    "time": ["11:30", "12:00", "15:00", "15:30", "16:00"],
    "mode": ["in person", "by phone", "by video"],
    "group": NETWORK_GROUPS,
    "coping": COPING_POSITIVE,
    "service": SERVICES,
    "topic": TOPICS,
    "topic2": TOPICS,
}
STEP_WEIGHT = {
    "opening": 1.0, "boundaries": 1.4, "services": 1.4, "progress": 2.4,
    "strengths": 1.3, "support": 1.1, "needs": 1.1, "outcomes": 1.3,
}

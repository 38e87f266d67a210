"""The six competency observation checklists every demo service starts with.

Each item is (what to observe, guidance for the observer, critical?, add-on module or None).
Medication administration follows NICE SC1 (Managing medicines in care homes): an annual
review of knowledge, skills and competence, and sooner after a medicines incident.
"""

from __future__ import annotations

MEDICATION = "Medication administration"

CHECKLISTS: list[dict] = [
    {
        "name": MEDICATION,
        "description": (
            "Observed on a real medicines round. NICE SC1: review competence every year, and "
            "sooner after a medicines incident. Nobody gives medicines before they are assessed "
            "as competent."
        ),
        "renewal_months": 12,
        "recheck_after_medication_report": True,
        "items": [
            (
                "Cleans hands and prepares a calm, clean area; never leaves medicines unattended "
                "and locks the trolley when out of sight",
                "No pre-potting: each person's medicines are prepared just before they are given.",
                False,
                None,
            ),
            (
                "Confirms it is the right person",
                "Uses the photo on the MAR and asks the person, or checks with a colleague who "
                "knows them well.",
                True,
                None,
            ),
            (
                "Checks the MAR chart: right medicine, dose, time and route, and that the dose has "
                "not already been given",
                "Looks for gaps and codes from the previous round.",
                True,
                None,
            ),
            (
                "Checks allergies and any recent changes",
                "New, stopped or changed medicines, hospital discharge letters, GP instructions.",
                True,
                None,
            ),
            (
                "Checks the pharmacy label against the MAR",
                "Name, strength, dose, directions, expiry, and the date opened where it matters.",
                True,
                None,
            ),
            (
                "Explains the medicine, asks for consent and respects a refusal",
                "Knows what to do after a refusal: record the code, tell the senior, follow the "
                "person's plan or seek the GP's advice. Covert medicine only with a best-interests "
                "decision and pharmacist advice.",
                False,
                None,
            ),
            (
                "Gives each medicine as prescribed and as the label says, and stays until it is "
                "taken",
                "With or without food, time-critical doses on time (e.g. Parkinson's), "
                "swallowing needs and the right formulation.",
                True,
                None,
            ),
            (
                "Records on the MAR straight after giving, with the right code when a dose is not "
                "given",
                "Never signs before the medicine is taken, and never signs for others.",
                True,
                None,
            ),
            (
                'Follows the PRN ("when required") protocol',
                "Checks the reason, the time since the last dose and the maximum in 24 hours; "
                "records why it was given and whether it helped.",
                False,
                None,
            ),
            (
                "Knows what to do after a mistake or near miss",
                "Make the person safe, get advice (GP, NHS 111 or pharmacist), tell the senior on "
                "duty, and report it in LearnLoop: we learn from it, nobody is blamed for telling.",
                True,
                None,
            ),
            # Add-on modules
            (
                "Applies creams and other topical medicines as the body map and TMAR show",
                "Right area and amount (fingertip units), gloves on, dates opened; paraffin-based "
                "emollients soak into fabric and are a fire risk.",
                False,
                "Topical",
            ),
            (
                "Gives eye, ear or nose drops safely",
                "Right eye or ear, the tip kept clean, 5 minutes between different eye drops, "
                "date opened written on the bottle (most eye drops last 28 days once opened).",
                False,
                "Eye, ear and nose drops",
            ),
            (
                "Supports the person with their inhaler",
                "Knows the device, shakes it if needed, uses a spacer where prescribed, rinses the "
                "mouth after a steroid inhaler.",
                False,
                "Inhalers",
            ),
            (
                "Gives controlled drugs with a trained witness and completes the CD register",
                "Both sign; the running balance is checked; a discrepancy is reported at once.",
                True,
                "Controlled drugs",
            ),
            (
                "Gives medicines through a PEG tube as the care plan says",
                "Person upright; flushes before, between and after each medicine; liquids where "
                "possible, and the pharmacist is asked before anything is crushed.",
                True,
                "PEG",
            ),
            (
                "Gives a homely remedy only as the signed homely remedies protocol allows",
                "Checks it is listed for this person, the dose and how long it may be given, and "
                "records it on the MAR.",
                False,
                "Homely remedies",
            ),
        ],
    },
    {
        "name": "Moving and handling",
        "description": "Observed while helping someone move, with and without equipment.",
        "renewal_months": 12,
        "items": [
            (
                "Reads the person's moving and handling plan before starting",
                "The plan says the method, equipment, sling and number of staff.",
                True,
                None,
            ),
            (
                "Explains, asks for consent and encourages the person to do what they can",
                None,
                False,
                None,
            ),
            (
                "Checks equipment before use",
                "Hoist service (LOLER) in date, the right sling type and size for this person, no "
                "damage, battery charged, brakes work.",
                True,
                None,
            ),
            ("Uses the number of staff the plan says", None, True, None),
            (
                "Prepares the space",
                "Brakes on, bed at a safe working height, clutter cleared.",
                False,
                None,
            ),
            (
                "Uses a safe posture",
                "Stable base, close to the load, no twisting or stooping.",
                False,
                None,
            ),
            ("Never uses a drag lift", "No lifting under the arms or by clothing.", True, None),
            (
                "Keeps the person comfortable and their dignity intact",
                "Watches for pain or distress; covers the person.",
                False,
                None,
            ),
            (
                "Reports faults and changes, and records the move",
                "Changes in the person's ability go to the senior so the plan is reviewed.",
                False,
                None,
            ),
        ],
    },
    {
        "name": "Infection prevention and hand hygiene",
        "description": "Hand hygiene, PPE and a clean environment, observed during personal care.",
        "renewal_months": 12,
        "items": [
            (
                "Bare below the elbows",
                "Short sleeves, no wrist jewellery or watch, a plain band ring only, short nails "
                "with no false nails or varnish.",
                False,
                None,
            ),
            (
                "Cleans hands at the right moments",
                "Before touching the person, before a clean task, after a risk of body fluids, "
                "after touching the person, after touching their surroundings.",
                True,
                None,
            ),
            (
                "Washes hands well",
                "Wet, soap, every surface for 20 to 30 seconds, rinse, dry with a paper towel.",
                False,
                None,
            ),
            (
                "Uses soap and water, not hand rub, when it matters",
                "When hands are visibly dirty, and with diarrhoea or C. difficile.",
                True,
                None,
            ),
            (
                "Chooses the right PPE for the task and puts it on in order",
                "Apron, mask, eye protection, gloves.",
                False,
                None,
            ),
            (
                "Takes PPE off in the right order and cleans hands after",
                "Gloves, apron, eye protection, mask; then hand hygiene.",
                True,
                None,
            ),
            (
                "Handles waste and laundry safely",
                "The right waste stream; soiled linen bagged at the bedside.",
                False,
                None,
            ),
            ("Cleans shared equipment between people", None, False, None),
            (
                "Knows when to stay off work",
                "48 hours after the last episode of diarrhoea or vomiting.",
                False,
                None,
            ),
        ],
    },
    {
        "name": "Escalation and safeguarding knowledge",
        "description": "A conversation: who to call and when, day and night.",
        "renewal_months": 12,
        "items": [
            (
                "Names the types of abuse and neglect",
                "Care Act 2014 guidance: physical, sexual, psychological, financial, neglect, "
                "self-neglect, discriminatory, organisational, domestic abuse, modern slavery.",
                False,
                None,
            ),
            ("Knows who to tell in the service, day and night, and how", None, True, None),
            (
                "Knows when and how to contact the local authority safeguarding team or the police",
                None,
                True,
                None,
            ),
            ("Calls 999 when someone is in immediate danger or seriously unwell", None, True, None),
            (
                "Responds well to a disclosure",
                "Listens, does not promise secrecy, writes the person's own words, reports the "
                "same day.",
                False,
                None,
            ),
            (
                "Keeps evidence safe",
                "Does not wash, tidy or move things unless safety needs it.",
                False,
                None,
            ),
            (
                "Spots a person getting more unwell and uses the service's escalation tool",
                "Soft signs, observations, NHS 111 or the GP, and 999 when needed.",
                True,
                None,
            ),
            (
                "Knows how to speak up",
                "Freedom to Speak Up and whistleblowing: raising a concern is safe and expected.",
                False,
                None,
            ),
        ],
    },
    {
        "name": "Least restrictive practice and PBS",
        "description": "Positive behaviour support and restrictive practice, in practice.",
        "renewal_months": 12,
        "items": [
            (
                "Knows the person's PBS plan",
                "Their triggers, early signs, and what helps: proactive, early and reactive "
                "strategies.",
                True,
                None,
            ),
            (
                "Supports the person proactively",
                "Meaningful activity, choice, and communication the person understands.",
                False,
                None,
            ),
            (
                "Notices early signs of distress and tries the plan's de-escalation first",
                None,
                False,
                None,
            ),
            (
                "Uses only restrictions in the person's plan, as a last resort, for the least time",
                "Anything else is an unplanned restriction: report it.",
                True,
                None,
            ),
            (
                "Uses only holds they are trained and authorised to use",
                "Never a position that restricts breathing.",
                True,
                None,
            ),
            (
                "Considers mental capacity and best interests",
                "Mental Capacity Act 2005: restrictions need a recorded best-interests decision.",
                False,
                None,
            ),
            (
                "Records any restrictive practice fully, the same day",
                "Type, how long, what was tried first, injuries.",
                False,
                None,
            ),
            ("Offers a debrief to the person and the staff involved", None, False, None),
        ],
    },
    {
        "name": "Record keeping",
        "description": "Care notes, charts and handover, read together with the writer.",
        "renewal_months": 12,
        "items": [
            ("Writes at the time or as soon as possible, dated and timed", None, False, None),
            (
                "Writes facts in plain words, with the person's own words in quotes",
                None,
                False,
                None,
            ),
            (
                "Describes the person respectfully, with what they wanted and chose",
                None,
                False,
                None,
            ),
            ("Completes food, fluid, repositioning and other charts accurately", None, True, None),
            (
                "Corrects mistakes openly",
                "Paper: one line through, initialled and dated. "
                "Digital: an amendment, never deleting.",
                False,
                None,
            ),
            (
                "Keeps records confidential",
                "Logs out, no personal data on their own phone, shares only on a need-to-know "
                "basis (UK GDPR).",
                True,
                None,
            ),
            ("Hands over clearly at the change of shift", None, False, None),
            ("Reports incidents and near misses in LearnLoop", None, False, None),
        ],
    },
]

ESCALATION_QUESTIONS = [
    (
        "It is 3am and a resident has a new bruise nobody can explain. What do you do, and who "
        "do you tell?",
        "Make them safe and comfortable, record what you see, tell the senior on "
        "duty at once; it is a safeguarding concern to report to the manager and, if needed, the "
        "local authority.",
    ),
    (
        "Who is the manager on call tonight, and how do you reach them?",
        "Knows where the on-call rota and number are kept.",
    ),
    (
        "When would you call 999 rather than NHS 111 or the GP?",
        "Immediate danger or a life-threatening change: not breathing, chest pain, stroke signs, "
        "serious bleeding, unresponsive.",
    ),
    (
        "You find that a dose of medicine was missed on the last round. What happens next?",
        "Check the person, get advice from the GP, 111 or pharmacist, tell the senior, record it "
        "and "
        "report it in LearnLoop.",
    ),
    (
        "A colleague tells you they saw someone handle a resident roughly. What do you do?",
        "Take it seriously, make the person safe, report to the manager the same day, record the "
        "facts; Freedom to Speak Up if not listened to.",
    ),
]

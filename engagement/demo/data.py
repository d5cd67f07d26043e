"""Demo teams and staff, modelled on West Midlands Police neighbourhood teams.

Postcode coverage is illustrative (real districts of each area), not the force's official map.
"""

TEAMS = [
    # slug, name, area, postcode coverage, description
    (
        "ladywood",
        "Ladywood",
        "Birmingham",
        ["B1", "B16 8", "B18"],
        "Ladywood Neighbourhood Team covers the city centre's western edge: the Jewellery Quarter, Brindleyplace, "
        "Ladywood estate and Summerfield. Our priorities are anti-social behaviour around the canals, vehicle crime "
        "and burglary. Come and see us at a surgery or for a Cuppa with a Copper.",
    ),
    (
        "edgbaston",
        "Edgbaston",
        "Birmingham",
        ["B15", "B16 0", "B16 9", "B17"],
        "We police Edgbaston, Harborne and the university area, working with residents' associations and the "
        "University of Birmingham on student safety, cycle theft and speeding.",
    ),
    (
        "sparkbrook-balsall-heath",
        "Sparkbrook and Balsall Heath",
        "Birmingham",
        ["B11", "B12"],
        "A busy, close-knit neighbourhood. We work with mosques, schools and traders on road safety, "
        "drug dealing and anti-social behaviour on the Ladypool Road.",
    ),
    (
        "erdington",
        "Erdington",
        "Birmingham",
        ["B23", "B24"],
        "Erdington, Stockland Green and Kingstanding. Our priorities are off-road bikes, shoplifting on the high "
        "street and speeding on the Chester Road.",
    ),
    (
        "sutton-coldfield",
        "Sutton Coldfield",
        "Birmingham",
        ["B72", "B73", "B74", "B75", "B76"],
        "From the Royal Town to Walmley and Minworth. We run Community Speed Watch with volunteers across the "
        "town and hold regular surgeries at Sutton Coldfield Library.",
    ),
    (
        "coventry-city-centre",
        "Coventry City Centre",
        "Coventry",
        ["CV1"],
        "The city centre, university quarter and Hillfields. We focus on the night-time economy, shop theft and "
        "supporting people who are vulnerable.",
    ),
    (
        "foleshill",
        "Foleshill",
        "Coventry",
        ["CV6"],
        "Foleshill, Radford and Longford. We work with faith groups and businesses on the Foleshill Road on "
        "parking, speeding and anti-social behaviour.",
    ),
    (
        "earlsdon",
        "Earlsdon and Whoberley",
        "Coventry",
        ["CV5"],
        "Earlsdon, Chapelfields and Whoberley: burglary prevention, cycle theft and safer streets.",
    ),
    (
        "dudley-central",
        "Dudley Central",
        "Dudley",
        ["DY1", "DY2"],
        "Dudley town centre, Netherton and Woodside. Regular surgeries at Dudley Library and the Castle Street hub.",
    ),
    (
        "stourbridge",
        "Stourbridge",
        "Dudley",
        ["DY8", "DY9"],
        "Stourbridge, Wollaston and Pedmore: speeding, rural crime on the edge of the borough and the ring road.",
    ),
    (
        "west-bromwich",
        "West Bromwich",
        "Sandwell",
        ["B70", "B71"],
        "West Bromwich town centre and surrounding estates. Our priorities are knife crime, drug dealing and "
        "anti-social behaviour in the High Street.",
    ),
    (
        "smethwick",
        "Smethwick",
        "Sandwell",
        ["B66", "B67"],
        "Smethwick, Cape Hill and Bearwood. We meet residents at gurdwaras, mosques and community centres.",
    ),
    (
        "solihull-town-centre",
        "Solihull Town Centre",
        "Solihull",
        ["B91", "B92 0", "B92 7"],
        "Solihull town centre, Touchwood and Olton. Shop theft, car crime and safer roads around schools.",
    ),
    (
        "chelmsley-wood",
        "Chelmsley Wood",
        "Solihull",
        ["B36", "B37"],
        "North Solihull: Chelmsley Wood, Smith's Wood and Castle Bromwich. Youth engagement and off-road bikes.",
    ),
    (
        "walsall-south",
        "Walsall South",
        "Walsall",
        ["WS1", "WS5"],
        "Walsall town centre, Palfrey and Caldmore. We work with Walsall Council on safer streets and the market.",
    ),
    (
        "walsall-north",
        "Walsall North",
        "Walsall",
        ["WS2", "WS3"],
        "Bloxwich, Blakenall and Birchills. Community Speed Watch is active on the Bloxwich Road.",
    ),
    (
        "wolverhampton-city-centre",
        "Wolverhampton City Centre",
        "Wolverhampton",
        ["WV1", "WV2"],
        "The city centre, Whitmore Reans and All Saints: night-time economy, begging and shop theft.",
    ),
    (
        "bilston",
        "Bilston",
        "Wolverhampton",
        ["WV14"],
        "Bilston and Ettingshall. Regular Cuppa with a Copper at the market and surgeries at the library.",
    ),
]

# email, name, rank, role, team slugs. The first three are the documented demo logins.
STAFF = [
    ("admin@example.org", "Sam Okafor", "Systems administrator", "admin", []),
    ("coordinator@example.org", "Margaret Hughes", "Engagement coordinator", "coordinator", []),
    ("officer@example.org", "Aisha Khan", "PCSO", "officer", ["ladywood"]),
    ("d.byrne@example.org", "Declan Byrne", "PC", "officer", ["ladywood", "edgbaston"]),
    ("p.sandhu@example.org", "Priya Sandhu", "Sergeant", "officer", ["sparkbrook-balsall-heath"]),
    ("t.walker@example.org", "Tom Walker", "PCSO", "officer", ["sutton-coldfield", "erdington"]),
    ("j.adeyemi@example.org", "Joy Adeyemi", "PC", "officer", ["coventry-city-centre", "foleshill"]),
    ("r.patel@example.org", "Ravi Patel", "PCSO", "officer", ["earlsdon"]),
    ("k.evans@example.org", "Karen Evans", "PCSO", "officer", ["dudley-central", "stourbridge"]),
    ("m.ali@example.org", "Mohammed Ali", "PC", "officer", ["west-bromwich", "smethwick"]),
    ("l.chen@example.org", "Lucy Chen", "PCSO", "officer", ["solihull-town-centre", "chelmsley-wood"]),
    ("g.thompson@example.org", "Gary Thompson", "Special Constable", "officer", ["walsall-south", "walsall-north"]),
    ("n.grant@example.org", "Natalie Grant", "Sergeant", "officer", ["wolverhampton-city-centre", "bilston"]),
]

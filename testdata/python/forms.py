"""Print how CPython shows decoded JSON documents, one JSON line per input.

Each line holds the input document and, for the value json.loads makes of
it, json.dumps(value), json.dumps(value, indent=2) and str(value).
Run: python3 testdata/python/forms.py > testdata/python/forms.jsonl
"""

import json

INPUTS = [
    '{"topic":"Café","n":2,"ok":true,"none":null,"list":[1,2.5,"x"]}',
    '{"emoji":"🌊 tides","ctl":"a\\u0001b\\n\\t\\"q\\"\\\\","del":"\\u007f",'
    '"nested":{"a":[],"b":{}}}',
    '[1,"two",{"three":3.0}]',
    '{"big":12345678901234567890,"f":0.10,"neg":-0.0,"zero":-0,"exp":1.5E-7,'
    '"e16":1e16,"e15":1e15,"over":1e400,"under":-1e400}',
    '{"small":0.0001,"smaller":0.00001,"third":0.3333333333333333,"e":2.5e+20,'
    '"int_float":100.0,"neg_exp":-1.25e-10}',
    '{"it\'s":"say \\"hi\\"","both":"it\'s \\"x\\"","only":"it\'s"}',
    '{"b":1,"a":{"z":[true,false,null]}}',
    '{"deep":[[[]],[{}],[[1,[2]]]]}',
    '[]',
    '{}',
    '3',
    '-0',
    '1.0',
    'true',
    'null',
    '"plain"',
    '"日本語"',
]

for text in INPUTS:
    value = json.loads(text)
    shown = value if isinstance(value, str) else str(value)
    print(json.dumps({
        "in": text,
        "dumps": json.dumps(value),
        "indented": json.dumps(value, indent=2),
        "str": shown,
    }, ensure_ascii=False))

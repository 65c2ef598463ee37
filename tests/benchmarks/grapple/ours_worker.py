"""The hub's side of the wagtail-grapple comparison (see README.md), run with the hub's venv.

Migrates a throwaway SQLite database, loads the same content as the benchmarks
(`tests/benchmarks/content_data.py`: news items with lead images, every size rendered),
then answers the driver's commands on stdin like the grapple worker: `graphql <n>` /
`floor <n>`, with `cold` to empty the caches before each request.
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "cms.settings.test"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from tests.benchmarks import content_data, kit  # noqa: E402
from tests.benchmarks.grapple.project.timing import serve  # noqa: E402
from tests.factories import content as f  # noqa: E402

# The fields the grapple worker asks for, in the hub's schema.
QUERY = """
{ news(first: 100) { edges { node {
    id title urlPath kind priority date lead isCurrentAlert validFrom validUntil
    leadImage { alt width height rendition(size: CARD) { url width height } srcset }
} } } }
"""


def main() -> None:
    settings.ROOT_URLCONF = "tests.benchmarks.urls"
    call_command("migrate", verbosity=0)
    tree = f.build_site_tree()
    people = content_data.build_people()
    content_data.build_news(tree, people, restricted=0, private_images=False)
    client = Client()
    calls = {
        "graphql": kit.graphql(client, QUERY),
        "floor": kit.get(client, "/floor/news"),
    }
    nodes = [edge["node"] for edge in kit.answer(calls["graphql"])["data"]["news"]["edges"]]
    floor = [edge["node"] for edge in kit.answer(calls["floor"])["data"]["news"]["edges"]]
    assert len(nodes) == len(floor) == 100
    assert [n["leadImage"] for n in nodes] == [n["leadImage"] for n in floor]
    assert all(n["leadImage"] for n in nodes)
    serve(calls, kit.forget_caches)


if __name__ == "__main__":
    main()

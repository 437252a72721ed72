import json

import pytest
import torch

from risisac.book import artefacts as A


def test_missing_empty_truncated_and_mismatched_artefacts_stop_with_their_fix(tmp_path):
    good = tmp_path / "eval.json"
    good.write_text(json.dumps({"a": [1, 2, 3]}))
    assert A.load_json(good, "evaluation", "make train")["a"] == [1, 2, 3]
    assert A.load_json(good, "evaluation", "make train", sha=A.sha256(good)[:12])["a"][0] == 1
    cases = [(tmp_path / "none.json", "is missing"), (tmp_path / "empty.json", "is empty"),
             (tmp_path / "cut.json", "is damaged")]
    cases[1][0].write_text("")
    cases[2][0].write_text(good.read_text()[:7])
    for path, msg in cases:
        with pytest.raises(A.ArtefactError, match=msg) as e:
            A.load_json(path, "evaluation of the networks", "make train CHAPTER=x")
        assert path.name in str(e.value) and "make train CHAPTER=x" in str(e.value)
        assert "evaluation of the networks" in str(e.value)
    with pytest.raises(A.ArtefactError, match="differs from the stored hash"):
        A.load_json(good, "evaluation", "make train", sha="0" * 12)


def test_truncated_torch_file(tmp_path):
    p = tmp_path / "net.pt"
    torch.save({"w": torch.ones(100)}, p)
    assert float(A.load_torch(p, "network", "make train")["w"].sum()) == pytest.approx(100)
    p.write_bytes(p.read_bytes()[: p.stat().st_size // 2])
    with pytest.raises(A.ArtefactError, match="net.pt .network. is damaged"):
        A.load_torch(p, "network", "make train")

"""Deterministic synthetic paper corpora (BibTeX or arXiv OAI JSON lines) for benchmarks.

Why synthetic: benchmarks of the index and the language server need large corpora that look
like real ones -- Zipf-like vocabularies, a heavy head of common family names, LaTeX accents,
the BibTeX idioms real files use -- without shipping or downloading real data. Records are
composed from pools built once from a fixed seed (domain vocabularies, ~24,000 sentences,
~20,000 noun phrases, tens of thousands of names), so a million records stream out in about
a minute with flat memory.

Determinism: records are composed in chunks of `_CHUNK`, each with its own random stream
seeded from (seed, chunk index); keys and arXiv ids are made unique afterwards in file order.
So the same ``--seed`` gives byte-identical output whether one process or several worker
processes compose the chunks, and whether or not queries are asked for.

    python benchmarks/generate.py --format bib --count 100000 --out /tmp/corpus.bib \\
        --queries /tmp/queries.json --query-count 300

Importable: ``generate(fmt, count, seed, out_stream)`` streams records and returns a
``GenerateResult`` (with the queries when ``query_count`` is given).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import hashlib
import io
import itertools
import json
import math
import multiprocessing
import os
import random
import re
import sys
import time
import unicodedata
from array import array
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import IO, Any, Generic, TypeVar

T = TypeVar("T")

FORMATS = ("bib", "jsonl")
QUERY_KINDS = (
    "key-prefix", "author-title", "title-words", "author-year",
    "typo", "abstract-phrase", "common-name", "short-prefix",
)  # fmt: skip

#: Pools do not depend on --seed: they are built once and shared, the seed drives the records.
_POOL_SEED = 20240601
_TABLE = 16384
_MIN_YEAR, _MAX_YEAR = 1990, 2025
_STOPWORDS = frozenset((
    "a", "an", "the", "on", "of", "in", "for", "to", "and", "or", "is", "are", "with", "at",
    "by", "from", "as", "via", "into", "its", "their", "do", "does", "using", "under", "over",
    "be", "we", "our", "all", "you",
))  # fmt: skip
_SMALL_WORDS = frozenset((
    "a", "an", "the", "of", "for", "in", "on", "with", "to", "and", "or", "via", "from", "by",
    "at", "as", "vs", "into",
))  # fmt: skip
_COMMON_FAMILIES = ("Wang", "Li", "Zhang", "Liu", "Chen")


# --- small machinery -----------------------------------------------------------------------


def _split(text: str, sep: str = ",") -> list[str]:
    """Data below is written as separated strings: shorter to read than Python lists."""
    return [part.strip() for part in text.split(sep) if part.strip()]


def _weighted_pairs(text: str) -> list[tuple[str, float]]:
    """'Wang 26, van der Berg 0.1' -> [('Wang', 26.0), ('van der Berg', 0.1)]."""
    pairs = []
    for item in _split(text):
        name, _, weight = item.rpartition(" ")
        pairs.append((name, float(weight)))
    return pairs


def _zipf(n: int, s: float = 1.0, offset: float = 1.0) -> list[float]:
    return [1.0 / (i + offset) ** s for i in range(n)]


class _Weighted(Generic[T]):
    """Weighted choice by Vose's alias method: O(1) per pick with one random number.

    A bisect over tens of thousands of cumulative weights costs ~1.5 us in CPython, an alias
    lookup a fifth of that, and there are a dozen picks per record.
    """

    __slots__ = ("alias_items", "items", "n", "prob", "table")

    #: Small distributions also get a flat lookup table: `table[int(u * _TABLE)]` is the
    #: cheapest weighted pick there is.

    def __init__(self, items: Sequence[T], weights: Sequence[float] | None = None) -> None:
        n = len(items)
        if n == 0:
            raise ValueError("empty choice")
        if weights is None:
            weights = [1.0] * n
        total = float(sum(weights))
        scaled = [w * n / total for w in weights]
        prob = [1.0] * n
        alias = list(range(n))
        small = [i for i, p in enumerate(scaled) if p < 1.0]
        large = [i for i, p in enumerate(scaled) if p >= 1.0]
        while small and large:
            s, g = small.pop(), large.pop()
            prob[s] = scaled[s]
            alias[s] = g
            scaled[g] = scaled[g] + scaled[s] - 1.0
            (small if scaled[g] < 1.0 else large).append(g)
        self.items = list(items)
        self.alias_items = [self.items[a] for a in alias]
        self.prob = prob
        self.n = float(n)
        self.table: list[T] = self._table(weights, total) if n <= 2048 else []

    def _table(self, weights: Sequence[float], total: float) -> list[T]:
        """Slots per item by largest remainder, at least one each (1/_TABLE resolution)."""
        n = len(weights)
        exact = [w * _TABLE / total for w in weights]
        slots = [max(1, int(e)) for e in exact]
        diff = _TABLE - sum(slots)
        if diff > 0:
            order = sorted(range(n), key=lambda i: (slots[i] - exact[i], i))
            for k in range(diff):
                slots[order[k % n]] += 1
        else:
            order = sorted(range(n), key=lambda i: (-slots[i], i))
            k = 0
            while diff < 0:
                i = order[k % n]
                if slots[i] > 1:
                    slots[i] -= 1
                    diff += 1
                k += 1
        table: list[T] = []
        for item, count in zip(self.items, slots, strict=True):
            table.extend([item] * count)
        return table

    def pick(self, u: float) -> T:
        if self.table:
            return self.table[int(u * _TABLE)]
        x = u * self.n
        i = int(x)
        return self.items[i] if x - i < self.prob[i] else self.alias_items[i]


class _KeySet:
    """A set of keys stored as 64-bit hashes in one flat array (linear probing).

    Keys must be unique across a million records; a Python set of the strings would take
    ~110 MB, this takes 16 MB. blake2b keeps it deterministic across runs (str hashes are
    salted); a hash collision only costs a needless suffix, never a duplicate key.
    """

    __slots__ = ("_mask", "_size", "_table")

    def __init__(self, capacity: int = 1 << 16) -> None:
        self._table = array("Q", bytes(8 * capacity))
        self._mask = capacity - 1
        self._size = 0

    def add(self, key: str) -> bool:
        """Add `key` (case-insensitively); False if it was already there."""
        digest = hashlib.blake2b(key.lower().encode(), digest_size=8).digest()
        h = int.from_bytes(digest, "little") | 1
        table, mask = self._table, self._mask
        i = h & mask
        while True:
            v = table[i]
            if v == 0:
                break
            if v == h:
                return False
            i = (i + 1) & mask
        table[i] = h
        self._size += 1
        if self._size * 2 > mask:
            self._grow()
        return True

    def _grow(self) -> None:
        old = self._table
        capacity = len(old) * 2
        self._table = table = array("Q", bytes(8 * capacity))
        self._mask = mask = capacity - 1
        for h in old:
            if h:
                i = h & mask
                while table[i]:
                    i = (i + 1) & mask
                table[i] = h


def _suffix(n: int) -> str:
    """0 -> 'a', 25 -> 'z', 26 -> 'aa': the letters BibTeX tools append on a key clash."""
    out = ""
    n += 1
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(97 + rem) + out
    return out


# LaTeX accents. Styles: 0 `{\"u}` (Google Scholar, BBT), 1 `{\"{u}}` (DBLP), 2 `\"{u}`,
# 3 raw unicode, 4 `\"u` (arXiv metadata). Style 2 never goes into quoted values: its `"`
# would end the value.
_SPECIAL_TEX = {
    "\u0142": r"\l", "\u0141": r"\L", "\u00f8": r"\o", "\u00d8": r"\O", "\u00e5": r"\aa",
    "\u00c5": r"\AA", "\u00df": r"\ss", "\u00e6": r"\ae", "\u00c6": r"\AE", "\u0153": r"\oe",
    "\u0131": r"\i",
}  # fmt: skip
_ACCENT_CMDS = {
    "\u0301": "'", "\u0300": "`", "\u0308": '"', "\u0302": "^", "\u0303": "~", "\u0304": "=",
    "\u0307": ".", "\u0327": "c", "\u030c": "v", "\u0306": "u", "\u030b": "H", "\u0328": "k",
    "\u030a": "r",
}  # fmt: skip
_ASCII_SPECIAL = {
    "\u0142": "l", "\u0141": "L", "\u00f8": "o", "\u00d8": "O", "\u00e5": "a", "\u00c5": "A",
    "\u00df": "ss", "\u00e6": "ae", "\u00c6": "AE", "\u0153": "oe", "\u0131": "i",
}  # fmt: skip
TEX_STYLES = 5


def _tex_char(ch: str, style: int) -> str:
    if style == 3 or ch.isascii():
        return ch
    if ch in _SPECIAL_TEX:
        return "{" + _SPECIAL_TEX[ch] + "}"
    decomposed = unicodedata.normalize("NFD", ch)
    base, marks = decomposed[0], decomposed[1:]
    cmd = _ACCENT_CMDS.get(marks)
    if cmd is None:
        return ch
    if cmd.isalpha():  # \c{c}, \v{s}: the argument always takes braces
        return ("{\\%s{%s}}" if style in (0, 1) else "\\%s{%s}") % (cmd, base)
    dotless = base == "i"
    if style == 0:
        return "{\\" + cmd + ("\\i" if dotless else base) + "}"
    if style == 1:
        return "{\\" + cmd + "{" + ("\\i" if dotless else base) + "}}"
    if style == 2:
        return "\\" + cmd + "{" + ("\\i" if dotless else base) + "}"
    return "\\" + cmd + base


def _tex(text: str, style: int) -> str:
    """Write a unicode string the way one kind of BibTeX producer would."""
    if text.isascii() or style == 3:
        return text
    return "".join(_tex_char(ch, style) for ch in text)


def _fold(text: str) -> str:
    """ASCII transliteration ('Müller' -> 'Muller', 'Łukasz' -> 'Lukasz') for keys."""
    if text.isascii():
        return text
    out = []
    for ch in text:
        if ch in _ASCII_SPECIAL:
            out.append(_ASCII_SPECIAL[ch])
        else:
            out.append(unicodedata.normalize("NFD", ch)[0])
    return "".join(out)


def _title_case(phrase: str) -> str:
    """'graph neural networks' -> 'Graph Neural Networks'; acronyms and $math$ untouched."""
    words = []
    for word in phrase.split(" "):
        if word in _SMALL_WORDS or word.startswith("$"):
            words.append(word)
            continue
        parts = []
        for part in word.split("-"):
            if part and part[0].islower() and part not in ("of", "the", "and"):
                part = part[0].upper() + part[1:]
            parts.append(part)
        words.append("-".join(parts))
    return " ".join(words)


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


# --- vocabulary ------------------------------------------------------------------------------
# Each list is ordered by how common the term is: weights are Zipf over the order.

_SHARED_ADJS = _split(
    "novel, new, simple, unified, general, improved, efficient, fast, robust, scalable, "
    "adaptive, generalized, optimal, practical, principled, systematic, comprehensive"
)

_DOMAINS: dict[str, dict[str, Any]] = {
    "ml": {
        "nouns": _split(
            "neural networks, language models, transformers, reinforcement learning, "
            "representation learning, graph neural networks, diffusion models, object detection, "
            "image classification, semantic segmentation, machine translation, question answering, "
            "generative adversarial networks, convolutional networks, attention, embeddings, "
            "optimization, stochastic gradient descent, generalization, robustness, "
            "adversarial examples, domain adaptation, transfer learning, few-shot learning, "
            "meta-learning, contrastive learning, self-supervised learning, "
            "knowledge distillation, federated learning, continual learning, active learning, "
            "recommendation, speech recognition, text classification, named entity recognition, "
            "sentiment analysis, image generation, video understanding, pose estimation, "
            "depth estimation, point clouds, 3D reconstruction, neural radiance fields, "
            "visual question answering, image captioning, policy optimization, "
            "multi-armed bandits, Bayesian optimization, Gaussian processes, "
            "variational inference, kernel methods, causal inference, anomaly detection, "
            "time series forecasting, clustering, dimensionality reduction, "
            "matrix factorization, sparse coding, pruning, quantization, "
            "neural architecture search, hyperparameter optimization, uncertainty estimation, "
            "calibration, interpretability, explanations, fairness, differential privacy, "
            "language understanding, code generation, instruction tuning, in-context learning, "
            "chain-of-thought reasoning, retrieval-augmented generation, large language models, "
            "vision transformers, mixture of experts, state space models, world models, "
            "imitation learning, inverse reinforcement learning, multi-agent systems, "
            "autonomous driving, robotic manipulation, motion planning, dialogue systems, "
            "summarization, information retrieval, knowledge graphs, link prediction, "
            "node classification, tabular data, medical image segmentation, weak supervision, "
            "label noise, data augmentation, out-of-distribution detection, model compression, "
            "normalizing flows, energy-based models, autoencoders, recurrent networks, "
            "LSTM networks, word embeddings, tokenization, speech synthesis, "
            "audio classification, visual tracking, action recognition, scene graphs, "
            "optical flow, super-resolution, image restoration, style transfer, "
            "text-to-image synthesis, reward models, preference optimization, hallucination, "
            "alignment, prompt learning, low-rank adaptation, LLM agents, GAN training, "
            "BERT representations, CNN features, SVM classifiers, Q-learning, actor-critic methods"
        ),
        "adjs": _split(
            "deep, efficient, scalable, robust, sparse, neural, probabilistic, Bayesian, "
            "unsupervised, self-supervised, semi-supervised, adaptive, hierarchical, "
            "multi-scale, end-to-end, differentiable, generative, variational, convolutional, "
            "recurrent, attention-based, graph-based, causal, contrastive, federated, "
            "distributed, interpretable, fair, private, low-rank, linear, non-convex, "
            "stochastic, online, continual, multimodal, cross-lingual, zero-shot, few-shot, "
            "large-scale, lightweight, provable, universal, implicit, structured, equivariant, "
            "invariant, regularized, compositional, conditional, latent, discrete, continuous, "
            "dynamic, spatio-temporal, temporal, visual, semantic, multilingual, "
            "open-vocabulary, long-context, parameter-efficient, data-efficient, "
            "sample-efficient, memory-efficient, decentralized, asynchronous, local, global, "
            "learned, pretrained, masked, autoregressive, non-autoregressive, geometric"
        ),
        "gerunds": _split(
            "learning, training, scaling, improving, understanding, rethinking, revisiting, "
            "exploring, evaluating, benchmarking, modeling, predicting, detecting, generating, "
            "aligning, distilling, compressing, accelerating, optimizing, pre-training, "
            "fine-tuning, unifying, leveraging, bridging, boosting, estimating, mitigating, "
            "explaining, regularizing"
        ),
        "xnouns": _split(
            "convergence, generalization, expressivity, robustness, sample complexity, "
            "limitations, role, effectiveness, implicit bias, optimization landscape, "
            "calibration, scaling behavior, inductive biases, stability"
        ),
        "fields": _split(
            "machine learning, computer vision, natural language processing, "
            "reinforcement learning, deep learning, artificial intelligence, robotics, "
            "speech processing, information retrieval, data mining"
        ),
        "math": _split(
            r"$k$-means, $\epsilon$-greedy, $\ell_1$-regularized, $\alpha$-divergence, "
            r"$f$-divergence, $Q$-value, $k$-nearest neighbor, $\beta$-VAE, $n$-gram",
            ", ",
        ),
        "rates": _split(
            r"a convergence rate of $O(1/\sqrt{T})$; a regret bound of $\tilde{O}(\sqrt{dT})$; "
            r"a sample complexity of $O(d/\epsilon^2)$; an excess risk of $O(n^{-1/2})$; "
            r"a linear convergence rate; an approximation error of $O(\epsilon \log n)$",
            ";",
        ),
        "things": _split(
            "ImageNet, COCO, CIFAR-10, CIFAR-100, MNIST, GLUE, SuperGLUE, SQuAD, LibriSpeech, "
            "Cityscapes, KITTI, ScanNet, ADE20K, Pascal VOC, MS MARCO, Natural Questions, "
            "HellaSwag, MMLU, GSM8K, HumanEval, Atari, MuJoCo, OGB, Cora, D4RL, nuScenes"
        ),
        "metrics": _split(
            "accuracy, F1 score, BLEU score, mean average precision, top-1 accuracy, "
            "word error rate, AUC, mIoU, perplexity, exact match"
        ),
        "verbs": _split("model, estimate, approximate, decompose, learn, encode, align, compress"),
        "weights": (0.45, 0.25),  # share in bib, in jsonl
    },
    "physics": {
        "nouns": _split(
            "dark matter, black holes, gravitational waves, neutrino oscillations, "
            "quantum entanglement, superconductivity, topological insulators, spin chains, "
            "phase transitions, quantum field theory, string theory, "
            "cosmic microwave background, galaxy clusters, Higgs boson, lattice QCD, "
            "quantum chromodynamics, Bose-Einstein condensates, quantum dots, graphene, "
            "magnetic skyrmions, plasma turbulence, exoplanets, neutron stars, supernovae, "
            "cosmic inflation, scattering amplitudes, holography, AdS/CFT correspondence, "
            "quantum error correction, superconducting qubits, dark energy, weak lensing, "
            "Hubble tension, primordial black holes, gamma-ray bursts, fast radio bursts, "
            "active galactic nuclei, star formation, stellar populations, interstellar medium, "
            "cosmic rays, heavy-ion collisions, quark-gluon plasma, "
            "parton distribution functions, jet substructure, top quarks, flavor physics, "
            "B meson decays, axions, sterile neutrinos, WIMPs, Yang-Mills theory, "
            "conformal field theory, entanglement entropy, quantum chaos, "
            "many-body localization, Floquet systems, Weyl semimetals, spin liquids, "
            "Kitaev materials, moir\u00e9 superlattices, twisted bilayer graphene, "
            "high-temperature superconductors, Hubbard model, Ising model, photonic crystals, "
            "metamaterials, optical cavities, trapped ions, Rydberg atoms, ultracold atoms, "
            "optomechanics, quantum sensing, quantum simulation, quantum walks, "
            "Bell inequalities, open quantum systems, decoherence, thermalization, "
            "hydrodynamics, turbulence, active matter, granular media, soft matter, polymers, "
            "liquid crystals, critical phenomena, renormalization group, "
            "effective field theories, supersymmetry, extra dimensions, "
            "black hole thermodynamics, Hawking radiation, information paradox, "
            "loop quantum gravity, modified gravity, binary neutron star mergers, "
            "pulsar timing arrays, accretion disks, magnetars, tokamak plasmas, "
            "laser-plasma acceleration, nuclear structure, neutrinoless double beta decay, "
            "Schr\u00f6dinger operators"
        ),
        "adjs": _split(
            "quantum, relativistic, nonlinear, topological, thermal, cosmological, "
            "gravitational, magnetic, superconducting, strongly correlated, non-equilibrium, "
            "many-body, ultracold, high-energy, effective, holographic, supersymmetric, chiral, "
            "anisotropic, dissipative, non-Hermitian, driven, disordered, frustrated, "
            "two-dimensional, one-dimensional, three-dimensional, massive, primordial, galactic, "
            "stellar, nuclear, hadronic, electroweak, perturbative, non-perturbative, "
            "semiclassical, fermionic, bosonic, interacting, critical, emergent, coherent, "
            "photonic, ultrafast, high-precision, gauge-invariant, axion-like"
        ),
        "gerunds": _split(
            "probing, measuring, constraining, observing, simulating, modeling, computing, "
            "revisiting, testing, detecting, characterizing, understanding, controlling, "
            "engineering, resolving"
        ),
        "xnouns": _split(
            "nature, origin, stability, dynamics, structure, spectrum, thermodynamics, "
            "phase diagram, equation of state, mass, lifetime, signatures, fate, "
            "low-energy limit"
        ),
        "fields": _split(
            "high-energy physics, condensed matter physics, cosmology, astrophysics, "
            "quantum information, nuclear physics, statistical mechanics, particle physics, "
            "quantum optics, plasma physics"
        ),
        "math": _split(
            r"$SU(N)$, $\Lambda$CDM, $\mathcal{N}=4$, $\mathbb{Z}_2$, $O(N)$, $d$-wave, "
            r"$p$-wave, $\theta$-vacua",
            ", ",
        ),
        "rates": _split(
            r"an energy resolution of $\sigma_E/E \approx 0.03$; "
            r"a critical exponent $\nu = 0.63$; a Hubble constant of $H_0 = 73$ km/s/Mpc; "
            r"a gap of $\Delta \approx 1.8$ meV; a coupling $g \sim 10^{-3}$",
            ";",
        ),
        "things": _split(
            "ATLAS, CMS, LHCb, ALICE, IceCube, Planck, LIGO, Virgo, KATRIN, DESI, Euclid, JWST, "
            "Gaia, Fermi-LAT, Super-Kamiokande, Belle II, DUNE, XENONnT"
        ),
        "metrics": _split(
            "cross section, branching fraction, critical temperature, correlation length, "
            "decay rate, spectral index, coherence time, transition temperature"
        ),
        "verbs": _split("compute, constrain, measure, simulate, derive, probe, resolve, model"),
        "weights": (0.25, 0.40),
    },
    "math": {
        "nouns": _split(
            "manifolds, operators, Banach spaces, Hilbert spaces, elliptic curves, modular forms, "
            "partial differential equations, random matrices, Markov chains, random graphs, "
            "finite groups, Lie algebras, polynomials, convex bodies, stochastic processes, "
            "Sobolev spaces, harmonic maps, Riemannian metrics, knot invariants, cohomology, "
            "moduli spaces, zeta functions, prime numbers, combinatorial designs, "
            "Brownian motion, martingales, Navier-Stokes equations, "
            "Schr\u00f6dinger equations, L\u00e9vy processes, H\u00f6lder continuity, "
            "Poincar\u00e9 inequalities, Erd\u0151s-R\u00e9nyi graphs, Galois representations, "
            "L-functions, automorphic forms, Calabi-Yau manifolds, Hamiltonian systems, "
            "dynamical systems, ergodic theory, mean curvature flow, Ricci flow, "
            "minimal surfaces, Teichm\u00fcller spaces, hyperbolic groups, mapping class groups, "
            "Coxeter groups, Hecke algebras, quantum groups, tensor categories, "
            "vertex operator algebras, Schubert calculus, toric varieties, abelian varieties, "
            "Shimura varieties, sieve methods, additive combinatorics, Ramsey numbers, "
            "graph colorings, extremal graph theory, matroids, permutation patterns, "
            "symmetric functions, Young tableaux, percolation, random walks, "
            "branching processes, interacting particle systems, "
            "stochastic differential equations, optimal transport, Wasserstein distances, "
            "concentration inequalities, convex optimization, variational inequalities, "
            "inverse problems, finite element methods, spectral methods, eigenvalue problems, "
            "semigroups, C*-algebras, von Neumann algebras, operator algebras, "
            "Fourier multipliers, singular integrals, harmonic analysis, wavelets, "
            "free boundary problems, conservation laws, kinetic equations, Boltzmann equation, "
            "Euler equations, Monge-Amp\u00e8re equations, Hardy spaces, Besov spaces, "
            "K\u00e4hler manifolds"
        ),
        "adjs": _split(
            "compact, smooth, elliptic, hyperbolic, parabolic, algebraic, asymptotic, uniform, "
            "sharp, nonlinear, stochastic, random, finite, infinite-dimensional, arithmetic, "
            "symplectic, Riemannian, discrete, Hamiltonian, spectral, ergodic, minimal, "
            "weighted, fractional, nonlocal, quasilinear, semilinear, degenerate, singular, "
            "rigid, effective, explicit, local, global, geometric, combinatorial, analytic, "
            "holomorphic, meromorphic, tropical, noncommutative, equivariant, stable, periodic, "
            "quasi-periodic, integrable, irreducible, self-similar, homogeneous, "
            "sub-Riemannian, log-concave, convex, bounded"
        ),
        "gerunds": _split(
            "bounding, counting, classifying, computing, constructing, characterizing, "
            "estimating, approximating, revisiting, extending, deforming"
        ),
        "xnouns": _split(
            "existence, uniqueness, regularity, rigidity, stability, classification, structure, "
            "geometry, spectrum, asymptotics, distribution, number, convergence, complexity, "
            "dimension, boundedness, well-posedness, blow-up, growth, density, "
            "equidistribution, irreducibility"
        ),
        "fields": _split(
            "analysis, number theory, algebraic geometry, probability theory, combinatorics, "
            "geometric topology, mathematical physics, numerical analysis, dynamical systems, "
            "representation theory"
        ),
        "math": _split(
            r"$p$-adic, $L^2$, $L^p$, $C^{1,\alpha}$, $q$-analogue, $\mathbb{Z}^d$, "
            r"$\sigma$-finite, $k$-uniform, $n$-dimensional",
            ", ",
        ),
        "rates": _split(
            r"a bound of $O(n^{-1/2} \log n)$; an exponent $\delta = 1/4$; "
            r"an error term $O(x^{1/2+\epsilon})$; a rate of $t^{-d/2}$; "
            r"a constant $C(d) \leq 2^d$",
            ";",
        ),
        "things": [],
        "metrics": _split("bound, estimate, exponent, constant, rate, inequality"),
        "verbs": _split("bound, construct, classify, estimate, approximate, characterize"),
        "weights": (0.15, 0.25),
    },
    "bio": {
        "nouns": _split(
            "gene expression, protein folding, single-cell RNA sequencing, CRISPR screens, "
            "gut microbiome, transcription factors, immune responses, T cells, B cells, cancer, "
            "tumor microenvironment, cortical neurons, synaptic plasticity, adaptive evolution, "
            "population genetics, phylogenetic trees, epigenetic regulation, "
            "chromatin accessibility, DNA methylation, metabolic networks, stem cells, "
            "viral infection, antibiotic resistance, protein-protein interactions, "
            "genome assembly, mitochondria, circadian rhythms, SARS-CoV-2, influenza, HIV, "
            "malaria, Alzheimer's disease, Parkinson's disease, breast cancer, type 2 diabetes, "
            "cardiomyocytes, hematopoiesis, embryonic development, cell fate decisions, "
            "gene regulatory networks, alternative splicing, long non-coding RNAs, microRNAs, "
            "enhancers, 3D genome organization, protein structure, enzyme kinetics, "
            "signaling pathways, Wnt signaling, Notch signaling, insulin signaling, autophagy, "
            "apoptosis, cell migration, cell division, cytoskeleton dynamics, "
            "membrane transport, ion channels, neural circuits, hippocampal place cells, "
            "decision making, motor learning, visual cortex, bacterial communities, biofilms, "
            "plant development, photosynthesis, Arabidopsis thaliana, Drosophila, zebrafish, "
            "Caenorhabditis elegans, mouse models, organoids, spatial transcriptomics, "
            "proteomics, metabolomics, GWAS, polygenic risk scores, copy number variation, "
            "somatic mutations, clonal hematopoiesis, antibody repertoires, vaccine responses, "
            "T cell receptors, cytokines, inflammation, host-pathogen interactions, "
            "drug resistance, drug discovery, protein design, molecular dynamics"
        ),
        "adjs": _split(
            "cellular, molecular, genomic, transcriptional, regulatory, evolutionary, neural, "
            "microbial, clinical, genetic, functional, structural, single-cell, spatial, human, "
            "murine, bacterial, viral, cortical, hippocampal, metabolic, immune, inflammatory, "
            "developmental, comparative, quantitative, high-throughput, multi-omic, "
            "longitudinal, population-scale, tissue-specific, cell-type-specific, integrative, "
            "dynamic, stochastic, mechanistic, phenotypic, somatic, germline, epigenetic, "
            "proteomic, dose-dependent, age-related, conserved"
        ),
        "gerunds": _split(
            "mapping, profiling, decoding, dissecting, characterizing, predicting, modeling, "
            "engineering, targeting, tracing, identifying, quantifying"
        ),
        "xnouns": _split(
            "role, evolution, architecture, regulation, diversity, origin, landscape, "
            "determinants, dynamics, heterogeneity, mechanism, genetic basis"
        ),
        "fields": _split(
            "molecular biology, genomics, neuroscience, immunology, evolutionary biology, "
            "cell biology, systems biology, cancer biology, microbiology, structural biology"
        ),
        "math": [],
        "rates": [],
        "things": _split(
            "TP53, BRCA1, KRAS, MYC, EGFR, PTEN, CDK2, SOX2, FOXP3, IL-6, TNF, GATA1, NOTCH1, "
            "APOE, CTCF, YAP1, HIF1A, STAT3, PAX6, NF-kB"
        ),
        "metrics": _split(
            "expression level, survival rate, fitness, heritability, binding affinity, "
            "firing rate, mutation rate, effect size"
        ),
        "verbs": _split("map, profile, quantify, trace, perturb, model, sequence, image"),
        "weights": (0.15, 0.10),
    },
}

_APPROACHES = _split(
    "framework, approach, method, model, algorithm, theory, analysis, perspective, "
    "architecture, technique"
)
_SURVEYS = _split("a survey, a review, a benchmark, a case study, a tutorial, an empirical study")
_PREPS = _weighted_pairs(
    "for 30, in 14, with 10, of 8, on 6, via 6, under 3, from 3, using 4, beyond 2, through 2"
)
_BIO_VERBS = _split("regulates, controls, drives, shapes, promotes, modulates, predicts, restricts")
_VERBS_3SG = _split(
    "improves, captures, reduces, extends, generalizes, recovers, explains, simplifies, "
    "stabilizes, accelerates"
)
_ACRONYM_PARTS = (
    _split(
        "Sim, Mo, Graph, Deep, Fast, Flash, Hyper, Meta, Neuro, Open, Auto, Omni, Uni, Co, "
        "Point, Seg, Vi, Res, Dense, Light, Mega, Tiny, Long, Trans, Dyna, Flex, Proto, Sparse"
    ),
    _split(
        "Former, Net, GAN, BERT, CLR, Flow, Diff, Seg, Match, Mix, Prompt, Nav, Fusion, GPT, "
        "Tune, Boost, Sim, Rec, Gen, Mamba, NeRF, Det, Align, Bench, LM, Opt, Attn"
    ),
)

# Title templates: symbols NP, N0 (bare noun), ADJ, G (gerund), P (preposition), X, APPR,
# SURV, ACR (system name + colon), VT (bio verb), EXP (experiment), lowercase literals.
_TITLE_TEMPLATES: dict[str, list[tuple[str, float]]] = {
    "all": [
        ("G NP P NP", 14), ("NP P NP", 14), ("on the X of NP", 5), ("NP via NP", 4),
        ("NP with NP", 4), ("a ADJ APPR for NP", 5), ("a ADJ APPR to NP P NP", 3),
        ("towards NP", 2), ("towards NP P NP", 3), ("NP : SURV", 2), ("NP and NP P NP", 4),
        ("G NP P NP P NP", 5), ("NP P NP : G NP with NP", 3), ("ADJ NP", 3),
        ("NP in NP : theory and experiments", 1), ("G the X of NP P NP", 4),
        ("NP for NP with applications to NP", 2), ("G NP", 3), ("X of NP P NP", 3),
    ],
    "ml": [("ACR : G NP P NP", 9), ("ACR : NP P NP", 4), ("NP is all you need", 0.6),
           ("do NP really generalize to NP ?", 0.5), ("when does NP help NP ?", 0.5)],
    "physics": [("measurement of the NP in NP", 4), ("search for NP with the EXP detector", 2),
                ("evidence for NP in NP", 2), ("observation of NP in NP", 2),
                ("ADJ NP in NP", 3)],
    "math": [("a note on NP", 3), ("ADJ bounds for NP", 3), ("the X of NP", 3),
             ("NP and NP", 2), ("ADJ NP on ADJ NP", 3)],
    "bio": [("NP VT NP in NP", 5), ("a ADJ atlas of NP", 2), ("ADJ profiling of NP reveals NP", 2),
            ("ACR : a ADJ APPR for NP", 2)],
}  # fmt: skip

# Abstract sentence templates by role: 0 background, 1 problem, 2 method, 3 results,
# 4 conclusion. <...> are filled when the pool is built, @T (topic from the title) and
# @M (method name) per record, so that abstracts are not all made of the same sentences.
_SENTENCES: dict[str, list[list[str]]] = {
    "all": [
        [
            "The study of <NP> has attracted considerable attention in <FIELD>.",
            "Recent advances in <NP> have led to remarkable progress in <NP>.",
            "<FIELD> has witnessed rapid progress in <NP> over the past decade.",
            "Understanding <NP> remains a central challenge in <FIELD>.",
            "A key problem in <FIELD> is to characterize <NP> in terms of <NP>.",
            "Many problems in <FIELD> can be formulated in terms of <NP>.",
            "Despite decades of research, the relationship between <NP> and <NP> "
            "remains poorly understood.",
            "<NP> plays a fundamental role in <NP>, with applications ranging from <NP> to <NP>.",
            "There is growing interest in <NP> due to its connections with <NP>.",
            "Modern approaches to <NP> typically rely on <NP> and <NP>.",
        ],
        [
            "In this paper, we study @T.",
            "We consider the problem of @T in the presence of <NP>.",
            "However, existing methods for @T rely on <NP>, which limits their applicability "
            "to <NP>.",
            "A major obstacle is that <NP> is often unavailable or expensive to obtain.",
            "In this work, we revisit @T from the perspective of <NP>.",
            "It remains unclear whether <NP> can be used to improve @T.",
            "Here we address this question for <NP>.",
            "We focus on the setting where <NP> is <ADJ> and <NP> is unknown.",
        ],
        [
            "We propose @M, a <ADJ> <APPR> for @T that leverages <NP>.",
            "Our approach combines <NP> with <NP> to obtain <ADJ> <N0>.",
            "The key idea is to <VB> <NP> using <NP>.",
            "We introduce a <ADJ> <APPR> based on <NP> and show that it <V> <NP>.",
            "Specifically, we <VB> <NP> and <VB> <NP> jointly.",
            "To this end, we develop a <ADJ> <APPR> that explicitly accounts for <NP>.",
            "Our analysis builds on <NP> and a careful treatment of <NP>.",
            "We further show how @M can be extended to <NP>.",
        ],
        [
            "Our results indicate that <NP> is strongly correlated with <NP>.",
            "We find that <NP> <V> <NP> by up to <PCT>.",
            "Extensive simulations confirm that <NP> is robust to <NP>.",
            "In particular, we show that <NP> can be recovered from <NP> with high probability.",
            "We observe a <ADJ> dependence of the <METRIC> on <NP>.",
        ],
        [
            "These findings suggest that <NP> may play an important role in <NP>.",
            "We discuss implications for <NP> and directions for future work.",
            "Our work opens new avenues for <NP>.",
            "We expect these results to be useful for <NP>.",
        ],
    ],
    "ml": [
        [],
        [],
        ["We train @M on <THING> and evaluate it on <NUM> downstream tasks."],
        [
            "Experiments on <NUM> benchmark datasets show that @M outperforms strong baselines "
            "by <PCT> on average.",
            "On <THING>, our method achieves a <METRIC> of <DEC>, improving upon the previous "
            "state of the art.",
            "We prove that the resulting estimator achieves <RATE> under mild assumptions.",
        ],
        ["Code is available at https://github.com/<USER>/<REPO>."],
    ],
    "physics": [
        ["The nature of <N0> remains one of the most important open questions in <FIELD>.",
         "<NP> provide a unique window into <NP>."],
        [],
        ["We compute <NP> at next-to-leading order in <NP>.",
         "Using <ADJ> simulations, we investigate <NP> in <NP>.",
         "We employ a <ADJ> <N0> approach to describe @T."],
        ["Using data collected by the <THING> experiment, we measure the <METRIC> of <NP> "
         "with a precision of <PCT>.",
         "We find that @T exhibits <ADJ> behavior below a critical temperature of "
         "$T_c \\approx <INT>$ K.",
         "The observed signal has a local significance of <SIG> standard deviations.",
         "Our results are consistent with <NP> and place new constraints on <NP>.",
         "We obtain <RATE>, in agreement with <NP>.",
         "We obtain an upper limit of <DEC> $\\times 10^{-<INT>}$ at 95% confidence level."],
        [],
    ],
    "math": [
        ["Let $X$ be a <ADJ> <N0> of dimension $n \\geq 2$.",
         "The study of <NP> goes back to <NAME>."],
        ["We study @T.", "We consider <NP> on <NP> and ask whether <NP> must be <ADJ>."],
        ["Our proof relies on <NP> and a careful analysis of <NP>.",
         "We introduce a new notion of <N0> adapted to @T."],
        ["We prove that all <ADJ> <N0> admit <ADJ> <N0>.",
         "As a consequence, we obtain <ADJ> bounds for <NP>.",
         "This answers a question of <NAME> and <NAME>.",
         "We establish the existence of <NP> for all $p > <INT>$.",
         "In particular, we obtain <RATE> for <NP>."],
        ["We also discuss several examples and open problems.",
         "Applications to <NP> are also discussed."],
    ],
    "bio": [
        [],
        [],
        ["Using <ADJ> profiling of <INT> samples, we identify <INT> <ADJ> <N0> associated "
         "with @T.",
         "We combine <NP> with <NP> to map <NP> in <ORG>."],
        ["We show that <NP> regulates <NP> through <NP>.",
         "Loss of <THING> resulted in a <DEC>-fold increase in <NP>.",
         "These results reveal a previously unrecognized role for <NP> in @T."],
        [],
    ],
}  # fmt: skip
_ORGANISMS = _split("mice, zebrafish, human cell lines, patients, healthy donors, organoids")

# --- names -----------------------------------------------------------------------------------
# Family names with their share of all author slots in per mille (Wang is 2.6%); the rest of
# the slots go to a long tail of syllable-built names. Groups pick matching given names.

_FAMILY_HEAD: dict[str, str] = {
    "zh": "Wang 26, Li 26, Zhang 25, Liu 20, Chen 20, Yang 12, Huang 9, Zhao 9, Wu 9, Zhou 8, "
    "Xu 8, Sun 7, Ma 6, Zhu 6, Hu 5, Guo 5, He 5, Lin 5, Gao 4.5, Luo 4, Zheng 4, Liang 3.5, "
    "Xie 3, Tang 3, Song 3, Han 3, Feng 3, Deng 2.5, Cao 2.5, Peng 2.5, Zeng 2, Xiao 2, "
    "Tian 2, Dong 2, Pan 2, Yuan 2, Cai 2, Jiang 4, Shi 3, Lu 4, Yu 4, Du 2, Jin 2, Cheng 2, "
    "Shen 2, Ye 1.5, Su 1.5, Wei 1.5, Fang 1.5, Ren 1.5, Yao 1.5, Qian 1, Zou 1, Fan 2, "
    "Fu 1.5, Qin 1, Dai 1, Xia 1, Kong 1, Bai 1, Mao 1, Hou 1, Cui 1, Yan 2, Gu 1.5, Meng 1, "
    "Qiu 1, Duan 1",
    "ko": "Kim 12, Lee 12, Park 6, Choi 3, Jung 2, Kang 1.5, Cho 1.5, Yoon 1, Shin 1, Lim 1",
    "ja": "Tanaka 1.5, Suzuki 1.5, Sato 1.5, Takahashi 1.2, Watanabe 1.2, Ito 1, Yamamoto 1.2, "
    "Nakamura 1.2, Kobayashi 1, Kato 1, Yoshida 0.8, Yamada 0.8, Sasaki 0.6, Matsumoto 0.8, "
    "Inoue 0.6, Kimura 0.6, Hayashi 0.6, Shimizu 0.6, Mori 0.6, Ikeda 0.5",
    "en": "Smith 4, Johnson 2.5, Williams 2, Brown 2.5, Jones 2, Miller 2, Davis 1.5, "
    "Wilson 1.5, Taylor 1.5, Anderson 1.5, Thomas 1, Moore 1, Martin 1.5, Jackson 1, White 1, "
    "Thompson 1, Clark 1, Lewis 1, Robinson 1, Walker 1, Hall 1, Allen 1, Young 1, King 1, "
    "Wright 1, Scott 1, Green 1, Baker 1, Adams 1, Campbell 0.8, Evans 0.8, Roberts 0.8, "
    "Turner 0.6, Cooper 0.6, Murphy 0.6, Cohen 1, Levy 0.6, Friedman 0.5, Bell 0.5, "
    "Howard 0.5, Ward 0.5, Hughes 0.5, Stewart 0.5, Morgan 0.5, Reed 0.5, Bailey 0.4, "
    "Kelly 0.5, Sullivan 0.4, O'Brien 0.3, Foster 0.4, Russell 0.4, Griffiths 0.3, "
    "Fitzgerald 0.2, McDonald 0.4, MacKay 0.2",
    "de": "M\u00fcller 2, Schmidt 1.5, Schneider 1, Fischer 1, Weber 1, Meyer 1, Wagner 0.8, "
    "Becker 0.8, Schulz 0.7, Hoffmann 0.7, Koch 0.6, Sch\u00e4fer 0.5, Kr\u00fcger 0.4, "
    "Bauer 0.5, Wolf 0.5, Zimmermann 0.4, Braun 0.4, Hofmann 0.4, Lehmann 0.3, "
    "Schr\u00f6der 0.4, K\u00f6hler 0.3, Wei\u00df 0.2, G\u00fcnther 0.2, Schwarz 0.3, "
    "Hartmann 0.3, Vogel 0.2, J\u00e4ger 0.2, Gro\u00df 0.2, von Neumann 0.05, "
    "von Luxburg 0.03",
    "es": "Garc\u00eda 1.5, Rodr\u00edguez 1, Mart\u00ednez 1, L\u00f3pez 1, Gonz\u00e1lez 1, "
    "Hern\u00e1ndez 0.7, P\u00e9rez 0.7, S\u00e1nchez 0.7, Ram\u00edrez 0.4, G\u00f3mez 0.5, "
    "Fern\u00e1ndez 0.6, D\u00edaz 0.4, Torres 0.4, \u00c1lvarez 0.3, Romero 0.3, Ruiz 0.3, "
    "Jim\u00e9nez 0.3, Mu\u00f1oz 0.3, Castro 0.3, Ortiz 0.2, Silva 1, Santos 0.8, "
    "Oliveira 0.5, Costa 0.5, Pereira 0.5, Ferreira 0.4, Alves 0.3, Souza 0.3, Lima 0.3, "
    "Carvalho 0.3, Gon\u00e7alves 0.2, de la Cruz 0.1, del R\u00edo 0.05, da Silva 0.4, "
    "dos Santos 0.2, de Souza 0.2",
    "fr": "Bernard 0.5, Dubois 0.4, Durand 0.3, Lef\u00e8vre 0.3, Moreau 0.4, Laurent 0.3, "
    "Girard 0.3, Rousseau 0.3, Lefebvre 0.3, Mercier 0.2, Fontaine 0.2, Bonnet 0.2, "
    "Leroy 0.2, Chevalier 0.2, Gauthier 0.2, Beno\u00eet 0.1, Lema\u00eetre 0.1, "
    "Th\u00e9venin 0.05, Le Roux 0.1, Dupont 0.3, Faure 0.2",
    "it": "Rossi 0.8, Russo 0.5, Ferrari 0.5, Esposito 0.4, Bianchi 0.4, Romano 0.4, "
    "Colombo 0.3, Ricci 0.4, Marino 0.3, Greco 0.3, Bruno 0.3, Gallo 0.3, Conti 0.3, "
    "De Luca 0.2, Mancini 0.2, Giordano 0.2, Lombardi 0.2, Moretti 0.2, Barbieri 0.2, "
    "Fontana 0.2, Santoro 0.2, Di Stefano 0.1",
    "in": "Kumar 6, Singh 5, Sharma 3, Gupta 3, Patel 2.5, Shah 1.5, Reddy 1.2, Rao 1.2, "
    "Agarwal 1, Jain 1, Mishra 1, Das 1.2, Iyer 0.5, Chatterjee 0.5, Banerjee 0.5, "
    "Mukherjee 0.5, Nair 0.5, Verma 0.8, Joshi 0.6, Mehta 0.6, Bhattacharya 0.5, "
    "Srinivasan 0.5, Krishnan 0.4, Menon 0.3, Pandey 0.5, Yadav 0.5, Ghosh 0.6, Sen 0.4, "
    "Roy 0.6, Chaudhary 0.3, Malik 0.3",
    "vi": "Nguyen 5, Tran 2, Le 1.5, Pham 1.2, Hoang 0.6, Phan 0.5, Vu 0.5, Dang 0.4, Bui 0.3, "
    "Do 0.3, Ngo 0.2",
    "sl": "Ivanov 0.5, Petrov 0.4, Smirnov 0.4, Kuznetsov 0.3, Popov 0.3, Volkov 0.2, "
    "Sokolov 0.2, Nov\u00e1k 0.3, Kowalski 0.4, Nowak 0.4, Wi\u015bniewski 0.2, "
    "W\u00f3jcik 0.2, Kowalczyk 0.2, Dvo\u0159\u00e1k 0.2, Horv\u00e1th 0.2, Nagy 0.3, "
    "Kov\u00e1cs 0.2, T\u00f3th 0.2, Szab\u00f3 0.2, Popescu 0.2, Jovanovi\u0107 0.2, "
    "Petrovi\u0107 0.2, \u0141ukasiewicz 0.05",
    "no": "Johansson 0.4, Andersson 0.4, Nielsen 0.5, Hansen 0.5, Jensen 0.5, Larsen 0.3, "
    "Pedersen 0.3, Olsen 0.3, Karlsson 0.3, Eriksson 0.3, Lindqvist 0.1, "
    "S\u00f8ndergaard 0.1, \u00c5berg 0.1, J\u00f8rgensen 0.1, Virtanen 0.1, "
    "M\u00e4kinen 0.1, de Jong 0.2, de Vries 0.2, van Dijk 0.15, van der Berg 0.1, "
    "van den Berg 0.1, Bakker 0.2, Janssen 0.2, Visser 0.2, Smit 0.2, Mulder 0.1, "
    "van der Maaten 0.03, van Gool 0.03, Peeters 0.1",
    "me": "Khan 1.2, Ahmed 1, Ali 1, Hassan 0.6, Hussain 0.4, Rahman 0.6, Mohammadi 0.4, "
    "Hosseini 0.4, Ahmadi 0.3, Rezaei 0.2, Karimi 0.2, Y\u0131lmaz 0.3, \u015eahin 0.2, "
    "\u00d6zt\u00fcrk 0.2, Demir 0.2, Kaya 0.2, \u00c7elik 0.2, Papadopoulos 0.3, "
    "Georgiou 0.2, Nikolaidis 0.1, Okafor 0.1, Mensah 0.1, Adeyemi 0.1, Abdullah 0.2, "
    "Haddad 0.1",
}

_GIVEN_HEAD: dict[str, str] = {
    "en": "James, John, Robert, Michael, William, David, Richard, Joseph, Thomas, Charles, "
    "Christopher, Daniel, Matthew, Anthony, Mark, Paul, Steven, Andrew, Kenneth, Joshua, "
    "Kevin, Brian, George, Edward, Timothy, Jason, Jeffrey, Ryan, Jacob, Nicholas, Eric, "
    "Jonathan, Stephen, Justin, Scott, Benjamin, Samuel, Gregory, Alexander, Patrick, Frank, "
    "Jack, Tyler, Aaron, Adam, Nathan, Peter, Kyle, Noah, Ethan, Sean, Mary, Patricia, "
    "Jennifer, Linda, Elizabeth, Barbara, Susan, Jessica, Sarah, Karen, Nancy, Lisa, "
    "Margaret, Emily, Michelle, Amanda, Melissa, Stephanie, Rebecca, Laura, Amy, Angela, "
    "Anna, Emma, Olivia, Rachel, Hannah, Katherine, Samantha, Julia, Grace, Sophia, Alice, "
    "Claire, Lucy, Ian, Simon, Oliver, Luke, Max, Sam, Alex, Chris, Tom, Tim, Ben, Dan, Will",
    "de": "Hans, J\u00fcrgen, J\u00f6rg, Klaus, Stefan, Andreas, Thomas, Michael, Markus, "
    "Matthias, Frank, Uwe, Wolfgang, Dieter, Bernhard, Tobias, Florian, Sebastian, "
    "Maximilian, Lukas, Felix, Jonas, Niklas, Moritz, Katrin, Sabine, Ute, Birgit, Anja, "
    "Julia, Lena, Katharina, Ulrike, Bj\u00f6rn, S\u00f6ren, Jens, Dirk, Gerhard, "
    "G\u00fcnter, R\u00fcdiger",
    "es": "Jos\u00e9, Mar\u00eda, Juan, Carlos, Luis, Jes\u00fas, Javier, Miguel, Antonio, "
    "Francisco, Manuel, Pedro, Alejandro, Pablo, Sergio, Jorge, Ra\u00fal, Rub\u00e9n, "
    "\u00c1lvaro, \u00c1ngel, Andr\u00e9s, Mart\u00edn, Diego, Fernando, Ana, Luc\u00eda, "
    "Laura, Carmen, Marta, Sof\u00eda, Isabel, Elena, Paula, In\u00e9s, Jo\u00e3o, "
    "Gon\u00e7alo, Tiago, Rui, Lu\u00eds, Andr\u00e9, Joana, Beatriz, Mariana, F\u00e1bio, "
    "Rafael, Gabriel, Thiago, Bruno, Felipe, Vin\u00edcius, Camila",
    "fr": "Jean, Pierre, Michel, Philippe, Nicolas, Fran\u00e7ois, Laurent, St\u00e9phane, "
    "Olivier, S\u00e9bastien, Julien, Guillaume, Mathieu, Beno\u00eet, J\u00e9r\u00f4me, "
    "Fr\u00e9d\u00e9ric, C\u00e9dric, H\u00e9l\u00e8ne, \u00c9lodie, C\u00e9line, Camille, "
    "Chlo\u00e9, L\u00e9a, Manon, Am\u00e9lie, Marie, Anne, Sophie, Isabelle, Nathalie, "
    "\u00c9tienne, R\u00e9mi, Lo\u00efc",
    "it": "Marco, Giuseppe, Giovanni, Luca, Francesco, Alessandro, Andrea, Matteo, Lorenzo, "
    "Davide, Simone, Federico, Riccardo, Stefano, Paolo, Roberto, Niccol\u00f2, Giulia, "
    "Chiara, Francesca, Sara, Martina, Valentina, Elisa, Silvia, Alessia, Ilaria",
    "in": "Rahul, Amit, Ankit, Priya, Anjali, Vikram, Arjun, Rohan, Sanjay, Rajesh, Suresh, "
    "Ramesh, Deepak, Vijay, Anil, Sunil, Manish, Nikhil, Abhishek, Aditya, Karthik, "
    "Siddharth, Shreya, Pooja, Neha, Divya, Kavya, Lakshmi, Ananya, Srinivas, Venkat, "
    "Gaurav, Pranav, Varun, Akash, Ashish, Sachin, Vivek",
    "vi": "Minh, Anh, Duc, Hung, Huy, Linh, Thanh, Tuan, Trung, Quang, Hoa, Hai, Khoa, Long, "
    "Nam, Phuong, Son, Thao, Trang, Vinh, Bao, Dat, Thi Lan, Van Minh, Thanh Hai",
    "sl": "Ivan, Dmitry, Sergey, Alexey, Andrey, Mikhail, Nikolai, Olga, Natalia, Elena, "
    "Tatiana, Piotr, Pawe\u0142, Tomasz, Krzysztof, \u0141ukasz, Micha\u0142, Agnieszka, "
    "Katarzyna, Ma\u0142gorzata, Jan, Petr, Ji\u0159\u00ed, Tom\u00e1\u0161, Luk\u00e1\u0161, "
    "Zolt\u00e1n, L\u00e1szl\u00f3, G\u00e1bor, P\u00e9ter, Bogdan, Milan, Marko, Nikola",
    "no": "Lars, Erik, Anders, Johan, Karl, Nils, Per, Magnus, Henrik, S\u00f8ren, Mads, "
    "Rasmus, Jesper, Kristian, Ingrid, Astrid, Sigrid, Maja, Freja, Elin, Pieter, Willem, "
    "Joost, Sander, Bram, Daan, Ruben, Thijs, Maarten, Anouk, Sanne, Lotte, Matti, Mikko",
    "me": "Mohammed, Ahmed, Ali, Hassan, Hussein, Omar, Mahmoud, Reza, Amir, Mehdi, Hamid, "
    "Saeed, Fatima, Zahra, Maryam, Leila, Mustafa, Emre, Mehmet, Ay\u015fe, Elif, Burak, "
    "Dimitrios, Georgios, Konstantinos, Nikolaos, Eleni, Chinedu, Kwame, Oluwaseun, Yusuf, "
    "Ibrahim",
    "ja": "Hiroshi, Takashi, Kenji, Yuki, Satoshi, Takeshi, Naoki, Kazuki, Yusuke, Daisuke, "
    "Shinji, Akira, Haruto, Ryo, Sho, Yuta, Koji, Masashi, Tomoya, Kenta, Akiko, Yoko, Yui, "
    "Aoi, Haruka, Misaki, Naoko, Keiko, Sakura, Ayumi",
}
_PINYIN = _split(
    "wei, jing, li, min, hao, yu, xin, yan, jun, jie, lei, tao, bo, chao, fei, hui, jian, "
    "kai, lin, ming, ning, peng, qi, rui, shan, ting, xiao, yang, yi, ying, yong, zhi, zhen, "
    "hong, hua, jia, xue, yun, ze, zi, chen, dong, feng, guang, hai, heng, kun, long, meng, "
    "qiang, qing, shu, song, wen, xiang, xu, yue, zheng, han, di, yuan, lu, tian, hui"
)
_HANGUL = _split(
    "min, ji, seung, hyun, jae, young, sung, dong, hye, eun, joon, soo, woo, jin, ho, yeon, "
    "kyung, tae, sang, hoon, won, chan, jun, seo, yoon, hee, kyu, yong"
)
_KANA = _split(
    "ta, ka, hi, ro, shi, ki, to, mo, ya, yu, ke, ma, sa, na, ri, ko, ji, da, su, ha, no, ru, "
    "ku, mi, a, o, e, u, se, ho, fu, ni, wa, ze"
)
# Long-tail family names: stem + ending per style (weights = share of the tail).
_TAIL_STYLES: dict[str, tuple[float, str, str]] = {
    "en": (30, "Hart, Berg, Wald, Lind, Holm, Ash, Brook, Black, Fair, Wood, Mor, Card, Hal, "
           "Whit, Gold, Rich, Har, Pem, Craw, Brad, Hol, Stan, Ald, Win, Red, Mar, Thorn, Bur, "
           "Chal, Dun, Eld, Fen, Gil, Hav, Kel, Lang, Mel, Nor, Os, Pen, Ross, Sel, Tal, Wes, "
           "Ab, Bar, Bel, Bing, Cald, Cran, Dal, Dray, Ever, Farn, Gar, Glen, Hamp, Hun, Ing, "
           "Kings, Lock, Marl, Mid, New, Ox, Pres, Rad, Rush, Shel, Sum, Tem, Ux, War, Yar",
           "man, son, ley, ford, ton, field, worth, well, ridge, er, ing, ham, wick, more, "
           "by, den, sby, cott, land, stone, mont, dale, hurst, win, low, ner"),
    "de": (10, "Kr\u00e4, Sch\u00f6n, Hel, Bren, Stein, K\u00fchn, B\u00f6h, Ei, Fried, Gr\u00fcn, "
           "Lieb, Mai, Nie, Ober, Rei, Wein, Ziel, Albr, Ecker, Hau, Ros, Tann, Berg",
           "mann, ner, ler, hardt, berger, stein, bach, feld, hof, huber, inger, dorf, hold, "
           "wald, lich"),
    "es": (20, "Bel, Cas, Mar, Ros, Val, Fer, Gal, Mon, Ser, Cor, Pal, Ber, Lor, Tor, Ib, Vel, "
           "Olm, Sal, Cab, Esc, Nav, Agu, Bust, Cam, Duc, Fig, Gua, Lan, Mazz, Nic, Pag, Rin",
           "ini, etti, ano, ella, ardi, ero, ez, ado, eira, ucci, ari, one, ier, eau, ot, "
           "\u00e1\u00f1ez, \u00edn, ello, oso, illo, ega, ieri"),
    "sl": (10, "Nov, Kov, Pet, Dub, Kras, Lis, Mor, Bel, Vol, Gor, Sok, Zaj, Kaz, Wr, Dom, "
           "Ste, Mil, Jan, Rad, Bog, Hor, Kul",
           "ov, ova, ski, ska, enko, ovich, i\u0107, \u00e1k, czyk, ek, in, ets, ar, uk, "
           "ewicz, \u00e1\u0159"),
    "ja": (8, "", ""),
    "in": (10, "Ra, Vi, Ka, Ma, Su, Pra, Shri, Ana, Chan, Dev, Har, Jai, Kri, Lak, Nar, Pad, "
           "Bal, Gov, Sub, Ven, Bha, Ram, Sha",
           "jan, esh, ath, an, ani, war, kar, ella, ayan, endra, urthy, appa, ini, dran, "
           "swamy, pati, agar"),
    "no": (5, "Lind, Berg, Holm, Sand, Ny, Dahl, Ek, Fors, Sol, Vik, Bj\u00f6r, Str\u00f6m, "
           "\u00c5s, Lund, Kvist, Van, Ter, Hoog, Mol",
           "strom, qvist, gren, lund, berg, sen, dal, vik, stad, ens, ink, ma, stra, huis"),
    "me": (7, "Ab, Al, Bar, Dar, Far, Gha, Had, Jaf, Kar, Mah, Naz, Raf, Sal, Tah, Zar, Ok, "
           "Ade, Ngu, Mba, Osei, Kem",
           "ani, ari, zadeh, pour, avi, ouri, emi, aki, ola, ede, oye, anga, ulu, aldi"),
}  # fmt: skip

_LINKS = ("a", "e", "i", "o", "el", "er", "in", "en", "ar", "or", "an", "ol")
_TRIPLE = re.compile(r"(.)\1\1")

# --- venues ----------------------------------------------------------------------------------
# kind j/c; name; short; @string macro; dblp code; publisher; doi template; weight; extra.
# Templates: {y} year, {yy}, {v} volume, {n} number, {p} first page, {d3}..{d7} digits.


@dataclass(slots=True)
class _Venue:
    kind: str
    name: str
    short: str
    macro: str
    dblp: str
    publisher: str
    doi: str
    weight: float
    found: int = 1950
    booktitles: tuple[str, ...] = ()
    url: str = ""
    article_numbers: bool = False


def _journal(name: str, short: str, macro: str, dblp: str, publisher: str, doi: str,
             weight: float, found: int = 1970, *, url: str = "",
             article_numbers: bool = False) -> _Venue:  # fmt: skip
    return _Venue("j", name, short, macro, dblp, publisher, doi, weight, found, (), url,
                  article_numbers)  # fmt: skip


def _conf(short: str, dblp: str, publisher: str, doi: str, weight: float, found: int,
          booktitles: Sequence[str], *, url: str = "") -> _Venue:  # fmt: skip
    return _Venue("c", booktitles[0], short, "", dblp, publisher, doi, weight, found,
                  tuple(booktitles), url)  # fmt: skip


_VENUES: dict[str, list[_Venue]] = {
    "ml": [
        _journal("IEEE Transactions on Pattern Analysis and Machine Intelligence",
                 "IEEE Trans. Pattern Anal. Mach. Intell.", "pami", "pami", "IEEE",
                 "10.1109/TPAMI.{y}.{d7}", 5, 1979),
        _journal("Journal of Machine Learning Research", "J. Mach. Learn. Res.", "jmlr", "jmlr",
                 "JMLR.org", "", 5, 2000, url="http://jmlr.org/papers/v{v}/{d2}-{d3}.html"),
        _journal("Machine Learning", "Mach. Learn.", "mlj", "ml", "Springer",
                 "10.1007/s10994-0{yy}-{d5}-{d1}", 2, 1986),
        _journal("Neural Computation", "Neural Comput.", "neco", "neco", "MIT Press",
                 "10.1162/neco_a_{d5}", 2, 1989),
        _journal("Artificial Intelligence", "Artif. Intell.", "aij", "ai", "Elsevier",
                 "10.1016/j.artint.{y}.{d6}", 1.5, 1970),
        _journal("Transactions on Machine Learning Research", "Trans. Mach. Learn. Res.",
                 "tmlr", "tmlr", "OpenReview.net", "", 1.5, 2022,
                 url="https://openreview.net/forum?id={orid}"),
        _journal("International Journal of Computer Vision", "Int. J. Comput. Vis.", "ijcv",
                 "ijcv", "Springer", "10.1007/s11263-0{yy}-{d5}-{d1}", 2, 1987),
        _journal("Nature Machine Intelligence", "Nat. Mach. Intell.", "natmi", "natmi",
                 "Nature Publishing Group", "10.1038/s42256-0{yy}-{d5}-{d1}", 1, 2019),
        _journal("Transactions of the Association for Computational Linguistics",
                 "Trans. Assoc. Comput. Linguist.", "tacl", "tacl", "MIT Press",
                 "10.1162/tacl_a_{d5}", 1.5, 2013),
        _journal("Neural Networks", "Neural Netw.", "nn", "nn", "Elsevier",
                 "10.1016/j.neunet.{y}.{d2}.{d3}", 2, 1988),
        _journal("Pattern Recognition", "Pattern Recognit.", "pr", "pr", "Elsevier",
                 "10.1016/j.patcog.{y}.{d6}", 2, 1968),
        _journal("IEEE Transactions on Neural Networks and Learning Systems",
                 "IEEE Trans. Neural Netw. Learn. Syst.", "tnnls", "tnn", "IEEE",
                 "10.1109/TNNLS.{y}.{d7}", 2, 1990),
        _journal("IEEE Transactions on Image Processing", "IEEE Trans. Image Process.", "tip",
                 "tip", "IEEE", "10.1109/TIP.{y}.{d7}", 1.5, 1992),
        _conf("NeurIPS", "nips", "Curran Associates, Inc.", "", 14, 1988,
              ["Advances in Neural Information Processing Systems",
               "Advances in Neural Information Processing Systems {v}",
               "Advances in Neural Information Processing Systems {v}: Annual Conference on "
               "Neural Information Processing Systems {y}"],
              url="https://proceedings.neurips.cc/paper/{y}/hash/{h32}-Abstract.html"),
        _conf("ICML", "icml", "PMLR", "", 10, 1984,
              ["International Conference on Machine Learning",
               "Proceedings of the {ord} International Conference on Machine Learning",
               "Proceedings of ICML"],
              url="https://proceedings.mlr.press/v{v}/{fam}{yy}a.html"),
        _conf("ICLR", "iclr", "OpenReview.net", "", 8, 2013,
              ["International Conference on Learning Representations",
               "The {ord} International Conference on Learning Representations (ICLR)"],
              url="https://openreview.net/forum?id={orid}"),
        _conf("CVPR", "cvpr", "IEEE", "10.1109/CVPR{y}.{d5}", 9, 1983,
              ["Proceedings of the IEEE/CVF Conference on Computer Vision and Pattern "
               "Recognition", "Proceedings of CVPR",
               "IEEE Conference on Computer Vision and Pattern Recognition (CVPR)"],
              url="https://openaccess.thecvf.com/content/CVPR{y}/html/{Fam}_CVPR_{y}_paper.html"),
        _conf("ICCV", "iccv", "IEEE", "10.1109/ICCV{y}.{d5}", 4, 1987,
              ["Proceedings of the IEEE/CVF International Conference on Computer Vision",
               "Proceedings of ICCV"]),
        _conf("ECCV", "eccv", "Springer", "10.1007/978-3-030-{d5}-{d1}_{d2}", 4, 1990,
              ["European Conference on Computer Vision", "Computer Vision -- ECCV {y}"]),
        _conf("ACL", "acl", "Association for Computational Linguistics",
              "10.18653/v1/{y}.acl-long.{d3}", 5, 1963,
              ["Proceedings of the {ord} Annual Meeting of the Association for Computational "
               "Linguistics", "Proceedings of ACL"],
              url="https://aclanthology.org/{y}.acl-long.{d3}"),
        _conf("EMNLP", "emnlp", "Association for Computational Linguistics",
              "10.18653/v1/{y}.emnlp-main.{d3}", 4, 1996,
              ["Proceedings of the {y} Conference on Empirical Methods in Natural Language "
               "Processing", "Proceedings of EMNLP"]),
        _conf("NAACL", "naacl", "Association for Computational Linguistics",
              "10.18653/v1/N{yy}-{d4}", 2, 2000,
              ["Proceedings of the {y} Conference of the North American Chapter of the "
               "Association for Computational Linguistics: Human Language Technologies"]),
        _conf("AAAI", "aaai", "AAAI Press", "10.1609/aaai.v{v}i{d2}.{d5}", 4, 1980,
              ["Proceedings of the AAAI Conference on Artificial Intelligence"]),
        _conf("IJCAI", "ijcai", "International Joint Conferences on Artificial Intelligence",
              "10.24963/ijcai.{y}/{d3}", 2, 1969,
              ["Proceedings of the {ord} International Joint Conference on Artificial "
               "Intelligence"]),
        _conf("KDD", "kdd", "ACM", "10.1145/{d7}.{e7}", 3, 1995,
              ["Proceedings of the {ord} ACM SIGKDD International Conference on Knowledge "
               "Discovery \\& Data Mining", "Proceedings of KDD"]),
        _conf("AISTATS", "aistats", "PMLR", "", 2, 1985,
              ["Proceedings of the {ord} International Conference on Artificial Intelligence "
               "and Statistics", "International Conference on Artificial Intelligence and "
               "Statistics"]),
        _conf("UAI", "uai", "PMLR", "", 1, 1985,
              ["Proceedings of the {ord} Conference on Uncertainty in Artificial Intelligence"]),
        _conf("COLT", "colt", "PMLR", "", 1, 1988, ["Conference on Learning Theory"]),
        _conf("ICASSP", "icassp", "IEEE", "10.1109/ICASSP.{y}.{d7}", 2, 1976,
              ["IEEE International Conference on Acoustics, Speech and Signal Processing "
               "(ICASSP)"]),
        _conf("ICRA", "icra", "IEEE", "10.1109/ICRA.{y}.{d7}", 2, 1984,
              ["IEEE International Conference on Robotics and Automation (ICRA)"]),
        _conf("MICCAI", "miccai", "Springer", "10.1007/978-3-030-{d5}-{d1}_{d2}", 1.5, 1998,
              ["Medical Image Computing and Computer Assisted Intervention -- MICCAI {y}"]),
    ],
    "physics": [
        _journal("Physical Review Letters", "Phys. Rev. Lett.", "prl", "prl",
                 "American Physical Society", "10.1103/PhysRevLett.{v}.{p}", 10, 1958,
                 article_numbers=True),
        _journal("Physical Review D", "Phys. Rev. D", "prd", "prd", "American Physical Society",
                 "10.1103/PhysRevD.{v}.{p}", 8, 1970, article_numbers=True),
        _journal("Physical Review B", "Phys. Rev. B", "prb", "prb", "American Physical Society",
                 "10.1103/PhysRevB.{v}.{p}", 9, 1970, article_numbers=True),
        _journal("Physical Review A", "Phys. Rev. A", "pra", "pra", "American Physical Society",
                 "10.1103/PhysRevA.{v}.{p}", 4, 1970, article_numbers=True),
        _journal("Journal of High Energy Physics", "JHEP", "jhep", "jhep", "Springer",
                 "10.1007/JHEP{mm}({y}){d3}", 6, 1997, article_numbers=True),
        _journal("Nature Physics", "Nat. Phys.", "natphys", "natphys",
                 "Nature Publishing Group", "10.1038/s41567-0{yy}-{d5}-{d1}", 2, 2005),
        _journal("Nature", "Nature", "nature", "nature", "Nature Publishing Group",
                 "10.1038/s41586-0{yy}-{d5}-{d1}", 2, 1869),
        _journal("The Astrophysical Journal", "Astrophys. J.", "apj", "apj", "IOP Publishing",
                 "10.3847/1538-4357/ab{d4}", 6, 1895),
        _journal("Monthly Notices of the Royal Astronomical Society", "Mon. Not. R. Astron. Soc.",
                 "mnras", "mnras", "Oxford University Press", "10.1093/mnras/stz{d4}", 5, 1827),
        _journal("Astronomy \\& Astrophysics", "Astron. Astrophys.", "aap", "aa",
                 "EDP Sciences", "10.1051/0004-6361/{y}{d5}", 3, 1969),
        _journal("Nuclear Physics B", "Nucl. Phys. B", "npb", "npb", "Elsevier",
                 "10.1016/j.nuclphysb.{y}.{d6}", 2, 1967),
        _journal("Physics Letters B", "Phys. Lett. B", "plb", "plb", "Elsevier",
                 "10.1016/j.physletb.{y}.{d6}", 3, 1967),
        _journal("Reviews of Modern Physics", "Rev. Mod. Phys.", "rmp", "rmp",
                 "American Physical Society", "10.1103/RevModPhys.{v}.{p}", 1, 1929),
        _journal("New Journal of Physics", "New J. Phys.", "njp", "njp", "IOP Publishing",
                 "10.1088/1367-2630/ab{d4}", 2, 1998),
        _journal("Journal of Cosmology and Astroparticle Physics", "JCAP", "jcap", "jcap",
                 "IOP Publishing", "10.1088/1475-7516/{y}/{mm}/0{d2}", 2, 2003),
        _journal("Classical and Quantum Gravity", "Class. Quantum Grav.", "cqg", "cqg",
                 "IOP Publishing", "10.1088/1361-6382/ab{d4}", 1.5, 1984),
        _journal("Quantum", "Quantum", "quantum", "quantum",
                 "Verein zur F\u00f6rderung des Open Access Publizierens in den "
                 "Quantenwissenschaften", "10.22331/q-{y}-{mm}-{dd}-{d3}", 1.5, 2017),
        _conf("ICHEP", "ichep", "Sissa Medialab", "10.22323/1.{d3}.{d4}", 1.5, 1950,
              ["Proceedings of the {ord} International Conference on High Energy Physics",
               "Proceedings of Science (ICHEP{y})"]),
        _conf("AIP Conf. Proc.", "aipcp", "AIP Publishing", "10.1063/1.{d7}", 1, 1970,
              ["AIP Conference Proceedings"]),
        _conf("APS March Meeting", "apsmm", "American Physical Society", "", 0.5, 1950,
              ["APS March Meeting Abstracts"]),
    ],
    "math": [
        _journal("Annals of Mathematics", "Ann. of Math.", "annals", "annals",
                 "Princeton University", "10.4007/annals.{y}.{v}.{d1}.{d1}", 2, 1884),
        _journal("Inventiones Mathematicae", "Invent. Math.", "invent", "invent", "Springer",
                 "10.1007/s00222-0{yy}-{d5}-{d1}", 2, 1966),
        _journal("Journal of the American Mathematical Society", "J. Amer. Math. Soc.", "jams",
                 "jams", "American Mathematical Society", "10.1090/jams/{d3}", 1.5, 1988),
        _journal("Duke Mathematical Journal", "Duke Math. J.", "duke", "duke",
                 "Duke University Press", "10.1215/00127094-{d7}", 2, 1935),
        _journal("Communications on Pure and Applied Mathematics", "Comm. Pure Appl. Math.",
                 "cpam", "cpam", "Wiley", "10.1002/cpa.{d5}", 2, 1948),
        _journal("Advances in Mathematics", "Adv. Math.", "advmath", "advm", "Elsevier",
                 "10.1016/j.aim.{y}.{d6}", 4, 1961),
        _journal("Journal of Functional Analysis", "J. Funct. Anal.", "jfa", "jfa", "Elsevier",
                 "10.1016/j.jfa.{y}.{d6}", 3, 1967),
        _journal("Transactions of the American Mathematical Society", "Trans. Amer. Math. Soc.",
                 "tams", "tams", "American Mathematical Society", "10.1090/tran/{d4}", 3, 1900),
        _journal("Probability Theory and Related Fields", "Probab. Theory Related Fields",
                 "ptrf", "ptrf", "Springer", "10.1007/s00440-0{yy}-{d5}-{d1}", 2, 1962),
        _journal("The Annals of Probability", "Ann. Probab.", "aop", "aop",
                 "Institute of Mathematical Statistics", "10.1214/{yy}-AOP{d4}", 2, 1973),
        _journal("Journal of Combinatorial Theory, Series A", "J. Combin. Theory Ser. A", "jcta",
                 "jct", "Elsevier", "10.1016/j.jcta.{y}.{d6}", 2, 1966),
        _journal("SIAM Journal on Numerical Analysis", "SIAM J. Numer. Anal.", "sinum",
                 "siamnum", "SIAM", "10.1137/{d2}M{d7}", 3, 1964),
        _journal("Mathematische Annalen", "Math. Ann.", "mathann", "matann", "Springer",
                 "10.1007/s00208-0{yy}-{d5}-{d1}", 2, 1868),
        _journal("Geometry \\& Topology", "Geom. Topol.", "gt", "gt",
                 "Mathematical Sciences Publishers", "10.2140/gt.{y}.{v}.{d4}", 1.5, 1997),
        _journal("Combinatorica", "Combinatorica", "combinatorica", "combinatorica", "Springer",
                 "10.1007/s00493-0{yy}-{d4}-{d1}", 1.5, 1981),
        _journal("Random Structures \\& Algorithms", "Random Structures Algorithms", "rsa", "rsa",
                 "Wiley", "10.1002/rsa.{d5}", 1.5, 1990),
        _conf("STOC", "stoc", "ACM", "10.1145/{d7}.{e7}", 2, 1969,
              ["Proceedings of the {ord} Annual ACM Symposium on Theory of Computing"]),
        _conf("FOCS", "focs", "IEEE", "10.1109/FOCS.{y}.{d5}", 1.5, 1960,
              ["IEEE {ord} Annual Symposium on Foundations of Computer Science (FOCS)"]),
        _conf("SODA", "soda", "SIAM", "10.1137/1.{d3}{d7}.{e3}", 2, 1990,
              ["Proceedings of the {y} Annual ACM-SIAM Symposium on Discrete Algorithms "
               "(SODA)"]),
        _conf("ICALP", "icalp", "Schloss Dagstuhl -- Leibniz-Zentrum f{\\\"u}r Informatik",
              "10.4230/LIPIcs.ICALP.{y}.{d2}", 1, 1974,
              ["{ord} International Colloquium on Automata, Languages, and Programming "
               "(ICALP {y})"]),
    ],
    "bio": [
        _journal("Nature", "Nature", "nature", "nature", "Nature Publishing Group",
                 "10.1038/s41586-0{yy}-{d5}-{d1}", 4, 1869),
        _journal("Science", "Science", "science", "science",
                 "American Association for the Advancement of Science",
                 "10.1126/science.{d3}{d4}", 3, 1880),
        _journal("Cell", "Cell", "cell", "cell", "Elsevier", "10.1016/j.cell.{y}.{d2}.{d3}", 3,
                 1974),
        _journal("Nature Genetics", "Nat. Genet.", "natgen", "natgen", "Nature Publishing Group",
                 "10.1038/s41588-0{yy}-{d5}-{d1}", 2, 1992),
        _journal("Nature Methods", "Nat. Methods", "natmeth", "natmeth",
                 "Nature Publishing Group", "10.1038/s41592-0{yy}-{d5}-{d1}", 2, 2004),
        _journal("Proceedings of the National Academy of Sciences", "Proc. Natl. Acad. Sci. USA",
                 "pnas", "pnas", "National Academy of Sciences", "10.1073/pnas.{d5}{e5}", 4,
                 1915),
        _journal("eLife", "eLife", "elife", "elife", "eLife Sciences Publications, Ltd",
                 "10.7554/eLife.{d5}", 3, 2012, article_numbers=True),
        _journal("PLoS Computational Biology", "PLoS Comput. Biol.", "ploscb", "ploscb",
                 "Public Library of Science", "10.1371/journal.pcbi.{d7}", 3, 2005,
                 article_numbers=True),
        _journal("Bioinformatics", "Bioinformatics", "bioinf", "bioinformatics",
                 "Oxford University Press", "10.1093/bioinformatics/bt{d3}", 4, 1985),
        _journal("Nucleic Acids Research", "Nucleic Acids Res.", "nar", "nar",
                 "Oxford University Press", "10.1093/nar/gk{d3}", 3, 1974),
        _journal("Nature Communications", "Nat. Commun.", "natcomm", "natcomm",
                 "Nature Publishing Group", "10.1038/s41467-0{yy}-{d5}-{d1}", 4, 2010,
                 article_numbers=True),
        _journal("Neuron", "Neuron", "neuron", "neuron", "Elsevier",
                 "10.1016/j.neuron.{y}.{d2}.{d3}", 2, 1988),
        _journal("Genome Biology", "Genome Biol.", "gb", "gb", "BioMed Central",
                 "10.1186/s13059-0{yy}-{d4}-{d1}", 2, 2000, article_numbers=True),
        _conf("RECOMB", "recomb", "Springer", "10.1007/978-3-030-{d5}-{d1}_{d2}", 1.5, 1997,
              ["Research in Computational Molecular Biology", "Proceedings of RECOMB {y}"]),
        _conf("PSB", "psb", "World Scientific", "10.1142/9789811{d6}_{d4}", 1, 1996,
              ["Pacific Symposium on Biocomputing"]),
        _conf("BCB", "bcb", "ACM", "10.1145/{d7}.{e7}", 1, 2010,
              ["Proceedings of the {ord} ACM International Conference on Bioinformatics, "
               "Computational Biology and Health Informatics"]),
    ],
}  # fmt: skip

_ARXIV_CATEGORIES: dict[str, str] = {
    "ml": "cs.LG 10, cs.CL 6, cs.CV 8, cs.AI 4, stat.ML 4, cs.IR 1, cs.NE 1, cs.RO 1.5, "
    "eess.AS 0.5, eess.IV 0.5",
    "physics": "hep-th 6, hep-ph 6, gr-qc 3, astro-ph.CO 3, astro-ph.GA 3, astro-ph.HE 2, "
    "astro-ph.SR 2, cond-mat.str-el 3, cond-mat.mes-hall 3, cond-mat.stat-mech 2, "
    "quant-ph 8, physics.optics 2, nucl-th 1, hep-ex 1.5, hep-lat 1",
    "math": "math.AP 4, math.PR 4, math.CO 4, math.NT 3, math.AG 3, math.DG 3, math.OC 2, "
    "math.NA 3, math.ST 2, math.FA 2, math.GT 1.5, math.DS 2, math-ph 2",
    "bio": "q-bio.GN 2, q-bio.NC 3, q-bio.QM 2, q-bio.PE 2, q-bio.BM 1.5, q-bio.MN 1, "
    "physics.bio-ph 1.5",
}
_OLD_ARCHIVES: dict[str, str] = {
    "ml": "cs 1",
    "physics": "hep-th 4, hep-ph 4, astro-ph 4, cond-mat 4, gr-qc 2, quant-ph 3, nucl-th 1, "
    "hep-ex 1, hep-lat 1",
    "math": "math 1",
    "bio": "q-bio 1, physics 1",
}
_BBT_KEYWORDS = {
    "cs.LG": "Computer Science - Machine Learning", "cs.CL": "Computer Science - Computation "
    "and Language", "cs.CV": "Computer Science - Computer Vision and Pattern Recognition",
    "cs.AI": "Computer Science - Artificial Intelligence", "stat.ML": "Statistics - Machine "
    "Learning", "quant-ph": "Quantum Physics", "hep-th": "High Energy Physics - Theory",
    "hep-ph": "High Energy Physics - Phenomenology", "gr-qc": "General Relativity and "
    "Quantum Cosmology",
}  # fmt: skip
_LICENSES = [
    ("http://arxiv.org/licenses/nonexclusive-distrib/1.0/", 50),
    ("http://creativecommons.org/licenses/by/4.0/", 25),
    ("http://creativecommons.org/licenses/by-nc-sa/4.0/", 6),
    ("http://creativecommons.org/licenses/by-nc-nd/4.0/", 5),
    ("http://creativecommons.org/publicdomain/zero/1.0/", 2),
    ("http://creativecommons.org/licenses/by-sa/4.0/", 2),
    ("http://creativecommons.org/licenses/by/3.0/", 3),
]
_BOOK_PUBLISHERS = _weighted_pairs(
    "Springer 10, MIT Press 5, Cambridge University Press 6, Oxford University Press 4, "
    "Princeton University Press 2, Wiley 3, CRC Press 2, Academic Press 1, "
    "World Scientific 1, SIAM 1, American Mathematical Society 2"
)
_ADDRESSES = _split(
    "New York, NY, USA; Cambridge, MA; Cambridge, UK; Oxford, UK; Princeton, NJ; "
    "Hoboken, NJ; Berlin, Heidelberg; Cham; Long Beach, CA, USA; Vancouver, Canada; "
    "Montr\u00e9al, Canada; New Orleans, LA, USA; Honolulu, HI, USA; Vienna, Austria; "
    "Seoul, Korea; Z\u00fcrich, Switzerland; Online",
    ";",
)
_SCHOOLS = _split(
    "Stanford University; Massachusetts Institute of Technology; "
    "University of California, Berkeley; Carnegie Mellon University; University of Cambridge; "
    "University of Oxford; ETH Z\u00fcrich; Tsinghua University; Peking University; "
    "University of Toronto; Universit\u00e9 de Montr\u00e9al; "
    "Technische Universit\u00e4t M\u00fcnchen; EPFL; University of Tokyo; KAIST; "
    "Seoul National University; National University of Singapore; "
    "Indian Institute of Science; Universidade de S\u00e3o Paulo; University of Amsterdam; "
    "KTH Royal Institute of Technology; Weizmann Institute of Science; Princeton University; "
    "Harvard University; California Institute of Technology; University of Washington",
    ";",
)
_INSTITUTIONS = _SCHOOLS[:10] + _split(
    "Microsoft Research; Google Research; Los Alamos National Laboratory; CERN; Fermilab; "
    "SLAC National Accelerator Laboratory; IBM Research",
    ";",
)
_REPORT_NUMBERS = _split(
    "MSR-TR-{y}-{d2}; UCB/EECS-{y}-{d2}; CMU-CS-{yy}-{d3}; TR-{y}-{d2}; LA-UR-{yy}-{d5}; "
    "CERN-TH-{y}-{d3}; SLAC-PUB-{d5}; FERMILAB-PUB-{yy}-{d3}-T; MIT-CTP/{d4}; IPMU{yy}-0{d3}",
    ";",
)
_BOOK_SERIES = _split(
    "Graduate Texts in Mathematics; Lecture Notes in Mathematics; Springer Series in "
    "Statistics; Adaptive Computation and Machine Learning; Lecture Notes in Physics; "
    "Cambridge Studies in Advanced Mathematics",
    ";",
)
_MONTHS = _split("jan, feb, mar, apr, may, jun, jul, aug, sep, oct, nov, dec")
_MONTH_NAMES = _split(
    "January, February, March, April, May, June, July, August, September, October, "
    "November, December"
)
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
#: @string macros every bib file defines at the top; ~1% of entries use them.
_STRING_MACROS = (
    ("procof", "Proceedings of the "),
    ("ieee", "IEEE"),
    ("springer", "Springer"),
    ("acm", "ACM"),
)


# --- pools -----------------------------------------------------------------------------------

# Indices into the family-name tuples (tuples: attribute access is the hot path).
F_GS, F_BBT, F_DBLP, F_GROUP, F_LOWER, F_ASCII, F_COMMON = range(TEX_STYLES, TEX_STYLES + 7)
# Given-name tuples: TEX_STYLES full-name variants then TEX_STYLES initials variants.
G_INIT = TEX_STYLES


def _family_entry(name: str, group: str) -> tuple[Any, ...]:
    ascii_name = _fold(name)
    words = ascii_name.split()
    letters = [re.sub(r"[^A-Za-z]", "", w) for w in words]
    main = [w for w, orig in zip(letters, words, strict=True) if not orig[:1].islower()]
    main_part = "".join(main) or "".join(letters)
    return (
        *(_tex(name, style) for style in range(TEX_STYLES)),
        (letters[0] or main_part).lower(),  # Google Scholar: first word, "van2008visualizing"
        "".join(letters).lower(),  # Better BibTeX: whole name, "vandermaaten"
        main_part[:1].upper() + main_part[1:],  # DBLP: "Maaten"
        group,
        name.lower(),
        ascii_name.lower(),
        name in _COMMON_FAMILIES,
    )


def _initials(name: str) -> str:
    """'Xiao-Ming' -> 'X.-M.', 'Thi Lan' -> 'T. L.'."""
    words = []
    for word in name.split(" "):
        words.append("-".join(part[:1] + "." for part in word.split("-") if part))
    return " ".join(words)


def _given_entry(name: str, group: str = "") -> tuple[str, ...]:
    initials = _initials(name)
    return (
        *(_tex(name, style) for style in range(TEX_STYLES)),
        *(_tex(initials, style) for style in range(TEX_STYLES)),
    )


class _NamePool:
    """Weighted names whose renderings (TeX styles, key parts) are made on first use.

    Most of the long tail is never drawn in a small run, and rendering all ~70,000 names
    up front would cost a second at start-up.
    """

    __slots__ = ("alias", "entries", "groups", "make", "n", "names", "prob", "table")

    def __init__(
        self,
        names: list[str],
        groups: list[str],
        weights: Sequence[float],
        make: Callable[[str, str], tuple[Any, ...]],
    ) -> None:
        self.names = names
        self.groups = groups
        self.entries: list[tuple[Any, ...] | None] = [None] * len(names)
        choice = _Weighted(range(len(names)), weights)
        self.table = choice.table
        self.alias = choice.alias_items
        self.prob = choice.prob
        self.n = choice.n
        self.make = make

    def pick(self, u: float) -> tuple[Any, ...]:
        if self.table:
            i = self.table[int(u * _TABLE)]
        else:
            x = u * self.n
            i = int(x)
            if x - i >= self.prob[i]:
                i = self.alias[i]
        entry = self.entries[i]
        if entry is None:
            entry = self.entries[i] = self.make(self.names[i], self.groups[i])
        return entry


@dataclass(slots=True)
class _Domain:
    """One field's vocabulary and venues, turned into weighted choices."""

    name: str
    nouns: _Weighted[tuple[tuple[str, ...], tuple[str, ...]]]
    adjs: _Weighted[tuple[tuple[str, ...], tuple[str, ...]]]
    gerunds: _Weighted[tuple[tuple[str, ...], tuple[str, ...]]]
    xnouns: _Weighted[tuple[tuple[str, ...], tuple[str, ...]]]
    math: list[tuple[tuple[str, ...], tuple[str, ...]]]
    things: list[str]
    templates: _Weighted[tuple[Any, ...]]
    sentences: list[list[tuple[str, int, bool, int]]]  # (text, words, has @slots, template)
    #: Noun phrases: (Title Case tokens, sentence case tokens, topic text).
    nps: list[tuple[tuple[str, ...], tuple[str, ...], str]]
    venues_j: _Weighted[_Venue]
    venues_c: _Weighted[_Venue]
    categories: _Weighted[str]
    old_archives: _Weighted[str]


def _forms(phrase: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A phrase's tokens in Title Case and in sentence case."""
    return tuple(_title_case(phrase).split(" ")), tuple(phrase.split(" "))


class _Pools:
    """Everything precomputed once: vocabularies, sentences, names, venues."""

    def __init__(self, seed: int = _POOL_SEED) -> None:
        rng = random.Random(seed)
        self.families = self._build_families(rng)
        self.givens = self._build_givens(rng)
        self.given_groups = list(self.givens)
        self.domains: dict[str, _Domain] = {}
        for name, data in _DOMAINS.items():
            self.domains[name] = self._build_domain(name, data, rng)
        self.domain_names = list(_DOMAINS)
        self.acronyms = self._build_acronyms(rng)
        self.preps = _Weighted([_forms(p) for p, _ in _PREPS], [w for _, w in _PREPS])
        self.approaches = _Weighted([_forms(a) for a in _APPROACHES], _zipf(len(_APPROACHES)))
        self.surveys = [_forms(s) for s in _SURVEYS]
        self.bio_verbs = [_forms(v) for v in _BIO_VERBS]

    # names
    @staticmethod
    def _build_families(rng: random.Random) -> _NamePool:
        names: list[str] = []
        groups: list[str] = []
        weights: list[float] = []
        seen: dict[str, None] = {}
        for group, text in _FAMILY_HEAD.items():
            for name, weight in _weighted_pairs(text):
                if name not in seen:
                    seen[name] = None
                    names.append(name)
                    groups.append(group)
                    weights.append(weight)
        head_total = sum(weights)
        head = len(names)
        rnd = rng.random
        style_names = list(_TAIL_STYLES)
        style_pick = _Weighted(style_names, [_TAIL_STYLES[s][0] for s in style_names])
        parts = {s: (_split(v[1]), _split(v[2])) for s, v in _TAIL_STYLES.items()}
        kana = _KANA
        target = head + 30000
        attempts = 0
        while len(names) < target and attempts < target * 4:
            attempts += 1
            style = style_pick.pick(rnd())
            if style == "ja":
                name = "".join(kana[int(rnd() * len(kana))] for _ in range(2 + int(rnd() * 3)))
            else:
                stems, ends = parts[style]
                name = stems[int(rnd() * len(stems))]
                if rnd() < 0.3:  # three parts: "Hart" + "el" + "ford"
                    name += _LINKS[int(rnd() * len(_LINKS))]
                name += ends[int(rnd() * len(ends))]
            name = name[0].upper() + name[1:].lower()
            if len(name) < 3 or name in seen or _TRIPLE.search(name):
                continue
            seen[name] = None
            names.append(name)
            groups.append(style)
        tail_weights = _zipf(len(names) - head, 0.9, 20.0)
        scale = (1000.0 - head_total) / sum(tail_weights)
        weights += [w * scale for w in tail_weights]
        return _NamePool(names, groups, weights, _family_entry)

    @staticmethod
    def _build_givens(rng: random.Random) -> dict[str, _NamePool]:
        rnd = rng.random

        def pick(seq: Sequence[str]) -> str:
            return seq[int(rnd() * len(seq))]

        synth: dict[str, Callable[[], str]] = {
            "zh": lambda: (
                pick(_PINYIN).capitalize()
                if rnd() < 0.25
                else pick(_PINYIN).capitalize() + ("-" if rnd() < 0.12 else "") + pick(_PINYIN)
            ),
            "ko": lambda: pick(_HANGUL).capitalize() + ("-" if rnd() < 0.5 else "") + pick(_HANGUL),
            "ja": lambda: (
                "".join(pick(_KANA) for _ in range(2 + int(rnd() * 2))).capitalize()
                + pick(("shi", "to", "ki", "ya", "ko", "mi", "ka", "ro", "ta"))
            ),
        }
        pools: dict[str, _NamePool] = {}
        for group in ("zh", "ko", *_GIVEN_HEAD):
            names: dict[str, None] = dict.fromkeys(_split(_GIVEN_HEAD.get(group, "")))
            head = len(names)
            make = synth.get(group)
            if make is None:
                heads = list(names)

                def make(heads: list[str] = heads) -> str:  # "Mich" + "ssa": plausible, unseen
                    a, b = pick(heads), pick(heads)
                    return a[: max(2, len(a) // 2)] + b[len(b) // 2 :]

            target = head + (3000 if group in synth else 1500)
            tries = 0
            while len(names) < target and tries < target * 5:
                tries += 1
                names.setdefault(make(), None)
            weights = [3.0 / (i + 2) if i < head else 1.0 / (i + 2) for i in range(len(names))]
            pools[group] = _NamePool(list(names), [group] * len(names), weights, _given_entry)
        return pools

    @staticmethod
    def _build_acronyms(rng: random.Random) -> list[str]:
        prefixes, suffixes = _ACRONYM_PARTS
        out: dict[str, None] = {}
        letters = "ABCDEFGHIKLMNOPRSTVWXY"
        while len(out) < 6000:
            u = rng.random()
            if u < 0.55:
                name = rng.choice(prefixes) + rng.choice(suffixes)
            elif u < 0.85:
                name = "".join(rng.choice(letters) for _ in range(rng.randint(3, 5)))
            else:
                name = rng.choice(prefixes) + "-" + rng.choice(("v2", "XL", "Lite", "Zero", "3D"))
            out.setdefault(name, None)
        return list(out)

    # vocabulary and sentences
    def _build_domain(self, name: str, data: dict[str, Any], rng: random.Random) -> _Domain:
        adjs = data["adjs"] + _SHARED_ADJS
        templates: list[tuple[Any, ...]] = []
        weights: list[float] = []
        for text, weight in _TITLE_TEMPLATES["all"] + _TITLE_TEMPLATES[name]:
            compiled = self._compile_template(text)
            templates.append((compiled, compiled[-1] in ("NP", "N0")))  # (symbols, extendable)
            weights.append(weight)
        venues = _VENUES[name]
        journals = [v for v in venues if v.kind == "j"]
        confs = [v for v in venues if v.kind == "c"]
        cats = _weighted_pairs(_ARXIV_CATEGORIES[name])
        archives = _weighted_pairs(_OLD_ARCHIVES[name])
        domain = _Domain(
            name=name,
            nouns=_Weighted([_forms(n) for n in data["nouns"]], _zipf(len(data["nouns"]), 0.9)),
            adjs=_Weighted([_forms(a) for a in adjs], _zipf(len(adjs), 0.9)),
            gerunds=_Weighted([_forms(g) for g in data["gerunds"]], _zipf(len(data["gerunds"]))),
            xnouns=_Weighted([_forms(x) for x in data["xnouns"]], _zipf(len(data["xnouns"]))),
            math=[_forms(m) for m in data["math"]],
            things=data["things"],
            templates=_Weighted(templates, weights),
            sentences=[],
            nps=[],
            venues_j=_Weighted(journals, [v.weight for v in journals]),
            venues_c=_Weighted(confs, [v.weight for v in confs]),
            categories=_Weighted([c for c, _ in cats], [w for _, w in cats]),
            old_archives=_Weighted([a for a, _ in archives], [w for _, w in archives]),
        )
        domain.sentences = self._build_sentences(name, data, domain, rng)
        domain.nps = self._build_nps(domain, rng)
        return domain

    @staticmethod
    def _build_nps(
        domain: _Domain, rng: random.Random, size: int = 5000
    ) -> list[tuple[tuple[str, ...], tuple[str, ...], str]]:
        """0-2 adjectives (rarely a $math$ modifier) and a noun: the bricks of titles."""
        rnd = rng.random
        out: dict[tuple[str, ...], tuple[tuple[str, ...], tuple[str, ...], str]] = {}
        tries = 0
        while len(out) < size and tries < size * 6:
            tries += 1
            noun = domain.nouns.pick(rnd())
            parts = []
            if domain.math and rnd() < 0.03:
                parts.append(domain.math[int(rnd() * len(domain.math))])
            u = rnd()
            if u >= 0.5:
                adj = domain.adjs.pick(rnd())
                if adj[1][0] != noun[1][0]:  # not "neural neural networks"
                    parts.append(adj)
                if u >= 0.85:
                    adj2 = domain.adjs.pick(rnd())
                    if adj2 is not adj and adj2[1][0] != noun[1][0]:
                        parts.append(adj2)
            title, sentence = noun
            for part in reversed(parts):
                title = part[0] + title
                sentence = part[1] + sentence
            out.setdefault(sentence, (title, sentence, " ".join(sentence)))
        return list(out.values())

    @staticmethod
    def _compile_template(text: str) -> tuple[Any, ...]:
        """Symbols stay strings; literal words become (title, sentence) token tuples."""
        out: list[Any] = []
        symbols = {"NP", "N0", "ADJ", "G", "P", "X", "APPR", "SURV", "ACR", "VT", "EXP", ":", "?"}
        literal: list[str] = []
        for word in text.split(" "):
            if word in symbols:
                if literal:
                    out.append(_forms(" ".join(literal)))
                    literal = []
                out.append(word)
            else:
                literal.append(word)
        if literal:
            out.append(_forms(" ".join(literal)))
        return tuple(out)

    def _build_sentences(
        self, name: str, data: dict[str, Any], domain: _Domain, rng: random.Random
    ) -> list[list[tuple[str, int, bool, int]]]:
        """Fill sentence templates into pools: (text, word count, has per-record slots)."""
        rnd = rng.random

        def pick(seq: Sequence[str]) -> str:
            return seq[int(rnd() * len(seq))]

        def np_text() -> str:
            noun = domain.nouns.pick(rnd())[1]
            words: list[str] = []
            u = rnd()
            for _ in range(0 if u < 0.5 else 1 if u < 0.85 else 2):
                adj = domain.adjs.pick(rnd())[1]
                if adj[0] != noun[0] and adj[0] not in words:
                    words.extend(adj)
            return " ".join(words + list(noun))

        names = [n for n in self.families.names[:400] if n.isascii()]
        prefixes, suffixes = _ACRONYM_PARTS
        fillers: dict[str, Callable[[], str]] = {
            "NP": np_text,
            "N0": lambda: " ".join(domain.nouns.pick(rnd())[1]),
            "ADJ": lambda: " ".join(domain.adjs.pick(rnd())[1]),
            "FIELD": lambda: pick(data["fields"]),
            "APPR": lambda: pick(_APPROACHES),
            "V": lambda: pick(_VERBS_3SG),
            "VB": lambda: pick(data["verbs"]),
            "NUM": lambda: pick(("two", "three", "four", "five", "six", "seven", "10", "12")),
            "PCT": lambda: f"{0.3 + rnd() * 25:.1f}%",
            "DEC": lambda: f"{0.5 + rnd() * 95:.{1 + int(rnd() * 2)}f}",
            "SIG": lambda: f"{2 + rnd() * 4:.1f}",
            "INT": lambda: str(2 + int(rnd() * 59)),
            "METRIC": lambda: pick(data["metrics"]),
            "THING": lambda: pick(data["things"] or ["the reference sample"]),
            "RATE": lambda: pick(data["rates"] or ["a consistent estimate"]),
            "NAME": lambda: pick(names),
            "ORG": lambda: pick(_ORGANISMS),
            "USER": lambda: pick(names).lower() + pick(("", "-lab", "ml", str(int(rnd() * 99)))),
            "REPO": lambda: (pick(prefixes) + pick(suffixes)).lower(),
        }
        article = re.compile(r"\b([Aa]) (?=[aeioAEIO]|u(?!ni|s|b))")
        per_role = 1200
        roles: list[list[tuple[str, int, bool, int]]] = []
        shared, own = _SENTENCES["all"], _SENTENCES[name]
        for role in range(5):
            texts = shared[role] + own[role] * 2  # a field's own templates count double
            ids = {t: i for i, t in reversed(list(enumerate(texts)))}
            # "a <ADJ> model" -> ["a ", "ADJ", " model"]: odd items are slots.
            templates = [(ids[t], re.split(r"<([A-Z0-9]+)>", t)) for t in texts]
            seen: dict[str, int] = {}
            tries = 0
            while len(seen) < per_role and tries < per_role * 4:
                tries += 1
                tid, parts = templates[int(rnd() * len(templates))]
                text = "".join(fillers[part]() if i % 2 else part for i, part in enumerate(parts))
                text = article.sub(r"\1n ", text)
                seen.setdefault(text[0].upper() + text[1:], tid)
            roles.append(
                [(s, s.count(" ") + 1, "@" in s, 100 * role + tid) for s, tid in seen.items()]
            )
        return roles


_POOLS: _Pools | None = None


def _pools() -> _Pools:
    """Built on first use and shared: building takes about a second, generating reuses it."""
    global _POOLS
    if _POOLS is None:
        _POOLS = _Pools()
    return _POOLS


# --- records ---------------------------------------------------------------------------------

# Entry layouts: how a producer writes BibTeX. Google Scholar (`title={...}`), hand-written /
# JabRef (`title = {...}`, bare numbers, month macros), Better BibTeX, DBLP (aligned, one
# author per line).
_GS, _HAND, _BBT, _DBLP = range(4)
_TEXT, _NUM, _RAW = range(3)
_ORDERS: dict[int, tuple[str, ...]] = {
    _GS: (
        "title", "author", "journal", "booktitle", "editor", "volume", "number", "series",
        "pages", "year", "month", "publisher", "organization", "school", "institution", "type",
        "address", "edition", "isbn", "howpublished", "note", "eprint", "archivePrefix",
        "primaryClass", "doi", "url", "abstract",
    ),
    _BBT: (
        "title", "author", "year", "month", "journal", "booktitle", "editor", "series",
        "volume", "number", "pages", "publisher", "address", "edition", "school",
        "institution", "type", "isbn", "doi", "url", "urldate", "howpublished", "note",
        "eprint", "archiveprefix", "primaryclass", "abstract", "keywords",
    ),
    _DBLP: (
        "author", "editor", "title", "booktitle", "journal", "series", "volume", "number",
        "pages", "publisher", "school", "institution", "type", "address", "edition", "isbn",
        "year", "month", "url", "doi", "eprinttype", "eprint", "note", "howpublished",
        "timestamp", "biburl", "bibsource", "abstract",
    ),
}  # fmt: skip
_ORDERS[_HAND] = _ORDERS[_GS]
_MIDDLE_GROUPS = frozenset(("en", "de", "fr", "it", "es", "no", "sl"))
_INITIAL_LETTERS = "ABCDEFGHJKLMNPRSTW"
# Roles of successive abstract sentences; past the plan, method and result alternate, and a
# conclusion (role 4) may close the abstract.
_ABSTRACT_PLANS = ((0, 1, 2, 3, 2, 3), (0, 0, 1, 2, 2, 3, 3), (1, 2, 3, 3, 2), (0, 2, 2, 3, 3),
                   (0, 1, 2, 3, 3, 2))  # fmt: skip
_ARXIV_SHARE = {"ml": 0.5, "physics": 0.55, "math": 0.45, "bio": 0.15}
_LAST_DAY = dt.date(_MAX_YEAR, 11, 30).toordinal()
_CHUNK = 2000  # records per random stream: part of the output's definition, keep it fixed
# Markers for what only the assembler can know (NUL never occurs in generated text).
_MARK_KEY, _MARK_ARXIV, _MARK_ARXIV_DASHED, _MARK_DBLP_PATH = "\0k", "\0a", "\0d", "\0p"
#: (text with markers, key base, arXiv (archive, year, month), query bits or None)
_Raw = tuple[str, str | None, tuple[str, int, int] | None, tuple[Any, ...] | None]
_DBLP_PHD = ("us", "de", "gb", "cn", "ch", "ca", "fr", "jp", "nl", "il")


@dataclass(slots=True)
class GenerateResult:
    """What one run produced: the numbers for the report, and the queries if asked for."""

    records: int
    bytes: int
    seconds: float
    queries: list[dict[str, str]] = field(default_factory=list)


def _cap(word: str) -> str:
    return word[0].upper() + word[1:] if word[:1].islower() else word


def _http_date(ordinal: int, seconds: int) -> str:
    """'Mon, 2 Apr 2007 19:18:42 GMT', the arXiv `versions[].created` format."""
    d = dt.date.fromordinal(ordinal)
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return (
        f"{_WEEKDAYS[d.weekday()]}, {d.day} {_MONTH_ABBR[d.month - 1]} {d.year} "
        f"{h:02d}:{m:02d}:{s:02d} GMT"
    )


def _wrap(text: str, width: int) -> str:
    """Break at spaces so that lines fit `width` (the arXiv dump's hard-wrapped abstracts)."""
    if len(text) <= width:
        return text
    lines = []
    start = 0
    end = len(text)
    while end - start > width:
        cut = text.rfind(" ", start + 3, start + width + 1)
        if cut < 0:
            cut = text.find(" ", start + width)
            if cut < 0:
                break
        lines.append(text[start:cut])
        start = cut + 1
    lines.append(text[start:])
    return "\n".join(lines)


class _Composer:
    """Composes records from the shared pools, one chunk of records at a time.

    Each chunk has its own random stream seeded from (seed, chunk index), so chunks can be
    composed in any process and in any order: the output only depends on the seed. What must
    be unique across the whole file (citation keys, arXiv ids) is left as a marker in the
    text and settled by `_Assembler`, which sees records in file order.
    """

    def __init__(self, fmt: str, want_info: bool = False) -> None:
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
        self.fmt = fmt
        self.want_info = want_info
        self.p = p = _pools()
        self.rng = random.Random(0)
        self.random = self.rng.random
        self.kw_cache: dict[str, str] = {}
        self.protect_cache: dict[str, str] = {}
        self.fill_cache: dict[str, list[tuple[str, str]]] = {}
        col = 0 if fmt == "bib" else 1
        names = p.domain_names
        self.domain_pick = _Weighted(
            [p.domains[n] for n in names], [_DOMAINS[n]["weights"][col] for n in names]
        )
        years = list(range(_MIN_YEAR, _MAX_YEAR + 1))
        self.years = _Weighted(
            years,
            [math.exp(0.11 * (y - _MIN_YEAR)) * (0.7 if y == _MAX_YEAR else 1) for y in years],
        )
        new = list(range(2007, _MAX_YEAR + 1))
        self.arxiv_years = _Weighted(
            new, [math.exp(0.09 * (y - 2007)) * (0.8 if y == _MAX_YEAR else 1) for y in new]
        )
        old = list(range(1992, 2008))
        self.old_years = _Weighted(
            old, [math.exp(0.15 * (y - 1992)) * (0.25 if y == 2007 else 1) for y in old]
        )
        counts = list(range(1, 31))
        weights = [10, 19, 22, 16, 11, 7, 4.5, 3, 2, 1.4]
        weights += [1.4 * 0.78 ** (k - 10) for k in range(11, 31)]
        self.author_counts = _Weighted(counts, weights)
        words = list(range(60, 351))
        mu, sigma = math.log(125), 0.42
        self.abstract_words = _Weighted(
            words, [math.exp(-((math.log(w) - mu) ** 2) / (2 * sigma**2)) / w for w in words]
        )
        self.licenses = _Weighted([u for u, _ in _LICENSES], [w for _, w in _LICENSES])
        self.book_publishers = _Weighted(
            [b for b, _ in _BOOK_PUBLISHERS], [w for _, w in _BOOK_PUBLISHERS]
        )
        self.given_any = p.givens["en"]

    def chunk(self, seed: int, index: int, size: int) -> list[_Raw]:
        """Records `index * _CHUNK ...` of the corpus for `seed`, not yet made unique."""
        self.rng.seed(f"paper-ls-corpus/{seed}/{index}")
        make = self.bib_record if self.fmt == "bib" else self.jsonl_record
        return [make() for _ in range(size)]

    # -- shared pieces --

    def _author_count(self) -> int:
        rnd = self.random
        if rnd() < 0.003:  # collaborations: a rare tail up to 200 authors
            return int(math.exp(math.log(31) + rnd() * (math.log(200) - math.log(31))))
        return self.author_counts.pick(rnd())

    def _authors(self, n: int) -> list[tuple[Any, ...]]:
        rnd = self.random
        fam_pick = self.p.families.pick
        givens = self.p.givens
        any_given = self.given_any
        out = []
        for _ in range(n):
            fam = fam_pick(rnd())
            group = fam[F_GROUP]
            given = (givens[group] if rnd() < 0.88 else any_given).pick(rnd())
            u = rnd()
            middle = ""
            jr = ""
            if u < 0.1 and group in _MIDDLE_GROUPS:
                middle = _INITIAL_LETTERS[int(u * 180)]
            elif u > 0.9985 and group == "en":
                jr = "Jr."
            out.append((fam, given, middle, jr))
        return out

    def _kw(self, token: str) -> str:
        """The token as a key word: ASCII letters up to the first non-letter, '' if a stopword."""
        word = self.kw_cache.get(token)
        if word is None:
            match = re.match(r"[a-z]+", _fold(token).lower())
            word = match.group() if match else ""
            if word in _STOPWORDS:
                word = ""
            self.kw_cache[token] = word
        return word

    def _np(self, dom: _Domain, ci: int, toks: list[str], topic: list[str] | None) -> None:
        """Append a noun phrase, sometimes with a prepositional tail; note the first as topic."""
        rnd = self.random
        nps = dom.nps
        np = nps[int(rnd() * len(nps))]
        toks.extend(np[ci])
        if topic is not None:
            topic.append(np[2])
        if rnd() < 0.1:
            toks.extend(self.p.preps.pick(rnd())[ci])
            toks.extend(dom.nouns.pick(rnd())[ci])

    def _title(self, dom: _Domain, title_case: bool) -> tuple[list[str], str, str]:
        """Title tokens, the topic phrase (for the abstract) and a system name."""
        rnd = self.random
        p = self.p
        ci = 0 if title_case else 1
        toks: list[str] = []
        topic: list[str] = []
        acronym = ""
        colon = False
        for _ in range(30):
            template, extendable = dom.templates.pick(rnd())
            toks = []
            topic = []
            acronym = ""
            colon = False
            for sym in template:
                if sym.__class__ is tuple:
                    toks.extend(sym[ci])
                elif sym == "NP":
                    self._np(dom, ci, toks, None if topic else topic)
                elif sym == "N0":
                    toks.extend(dom.nouns.pick(rnd())[ci])
                elif sym == "ADJ":
                    toks.extend(dom.adjs.pick(rnd())[ci])
                elif sym == "G":
                    toks.extend(dom.gerunds.pick(rnd())[ci])
                elif sym == "P":
                    toks.extend(p.preps.pick(rnd())[ci])
                elif sym == "X":
                    toks.extend(dom.xnouns.pick(rnd())[ci])
                elif sym == "APPR":
                    toks.extend(p.approaches.pick(rnd())[ci])
                elif sym == "SURV":
                    toks.extend(p.surveys[int(rnd() * len(p.surveys))][ci])
                elif sym == "ACR":
                    acronym = p.acronyms[int(rnd() * len(p.acronyms))]
                    toks.append(acronym)
                elif sym == "VT":
                    toks.extend(p.bio_verbs[int(rnd() * len(p.bio_verbs))][ci])
                elif sym == "EXP":
                    toks.append(dom.things[int(rnd() * len(dom.things))])
                elif sym == ":":
                    toks[-1] += ":"
                    colon = True
                else:  # "?"
                    toks[-1] += "?"
            if extendable and len(toks) < 12 and rnd() < 0.27:
                toks.extend(p.preps.pick(rnd())[ci])
                self._np(dom, ci, toks, None)
            if 3 <= len(toks) <= 20:
                break
        toks[0] = _cap(toks[0])
        if colon:
            for i in range(len(toks) - 1):
                if toks[i].endswith(":"):
                    toks[i + 1] = _cap(toks[i + 1])
        if "a" in toks or "A" in toks:
            for i in range(len(toks) - 1):
                if toks[i] in ("a", "A") and toks[i + 1][:1] in "aeioAEIO":
                    toks[i] += "n"
        if not acronym:
            acronym = p.acronyms[int(rnd() * len(p.acronyms))]
        return toks, " ".join(topic) or "this problem", acronym

    def _abstract(self, dom: _Domain, topic: str, method: str) -> list[str]:
        """Sentences in a background / problem / method / results order, ~lognormal length."""
        rnd = self.random
        target = self.abstract_words.pick(rnd())
        plan = _ABSTRACT_PLANS[int(rnd() * len(_ABSTRACT_PLANS))]
        pools = dom.sentences
        extra = topic.count(" ")  # words a @T slot adds beyond its own
        out: list[str] = []
        used: list[int] = []
        words = 0
        for role in plan + (2, 3) * 6:
            pool = pools[role]
            size = len(pool)
            text, n, slots, tid = pool[int(rnd() * size)]
            if tid in used:  # the same template twice in one abstract reads as a glitch
                text, n, slots, tid = pool[int(rnd() * size)]
            if slots:
                text = text.replace("@T", topic).replace("@M", method)
                n += extra
            if words + n > 350 and words >= 60:
                break
            used.append(tid)
            out.append(text)
            words += n
            if words >= target:
                break
        if rnd() < 0.5:
            pool = pools[4]
            text, n, slots, _ = pool[int(rnd() * len(pool))]
            if slots:
                text = text.replace("@T", topic).replace("@M", method)
                n += extra
            if words + n <= 350:
                out.append(text)
        return out

    def _fill(
        self, template: str, year: int, volume: int = 1, fam: str = "", page: str = ""
    ) -> str:
        """Fill a DOI / URL / report-number template: {d5} five random digits, {y} year..."""
        parts = self.fill_cache.get(template)
        if parts is None:
            parts = []
            for i, piece in enumerate(re.split(r"\{(\w+)\}", template)):
                if i % 2 == 0:
                    parts.append(("", piece))
                elif re.fullmatch(r"[de][0-9]", piece):
                    parts.append(("digits", piece[1]))
                else:
                    parts.append((piece, ""))
            self.fill_cache[template] = parts
        rnd = self.random
        out = []
        for kind, text in parts:
            if not kind:
                out.append(text)
            elif kind == "digits":
                width = int(text)
                if width == 1:
                    out.append(str(1 + int(rnd() * 9)))
                else:
                    out.append(str(int(rnd() * 10**width)).zfill(width))
            elif kind == "y":
                out.append(str(year))
            elif kind == "yy":
                out.append(f"{year % 100:02d}")
            elif kind == "v":
                out.append(str(volume))
            elif kind == "p":
                out.append(page or f"{int(rnd() * 999999) + 1:06d}")
            elif kind == "mm":
                out.append(f"{1 + int(rnd() * 12):02d}")
            elif kind == "dd":
                out.append(f"{1 + int(rnd() * 28):02d}")
            elif kind == "fam":
                out.append(fam.lower())
            elif kind == "Fam":
                out.append(fam.capitalize())
            elif kind == "h32":
                out.append(f"{self.rng.getrandbits(128):032x}")
            elif kind == "orid":
                alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
                out.append("".join(alphabet[int(rnd() * 64)] for _ in range(10)))
            else:
                raise KeyError(kind)
        return "".join(out)

    def _arxiv_bucket(
        self, dom: _Domain, year: int, month: int, old: bool
    ) -> tuple[tuple[str, int, int], str]:
        """Archive, year and month of an arXiv id (the number comes later), and a category.

        Old-style ids ('hep-th/9901001') before April 2007, 'YYMM.NNNN(N)' after.
        """
        if old:
            archive = dom.old_archives.pick(self.random())
            category = archive
            if archive in ("cs", "math", "q-bio", "physics"):
                category = dom.categories.pick(self.random())
            return (archive, year, month), category
        return ("", year, month), dom.categories.pick(self.random())

    def _arxiv_for_year(self, dom: _Domain, year: int) -> tuple[tuple[str, int, int], str]:
        month = int(self.random() * (10 if year == _MAX_YEAR else 12)) + 1
        old = year < 2007 or (year == 2007 and month < 4)
        return self._arxiv_bucket(dom, year, month, old)

    # -- BibTeX --

    def _protect(self, token: str) -> str:
        """'BERT:' -> '{BERT}:': capitals kept from BibTeX's case changes, as BBT/DBLP do."""
        out = self.protect_cache.get(token)
        if out is None:
            core = token.rstrip(":?")
            if (
                core
                and not core.startswith("$")
                and any(
                    part[1:] != part[1:].lower() or part[:1].isdigit() for part in core.split("-")
                )
            ):
                out = "{" + core + "}" + token[len(core) :]
            else:
                out = token
            self.protect_cache[token] = out
        return out

    def _bib_title(self, toks: list[str], layout: int, tex: int) -> str:
        rnd = self.random
        if layout in (_BBT, _DBLP) or (layout == _HAND and rnd() < 0.15):
            toks = [self._protect(t) for t in toks]
        u = rnd()
        if 0.03 <= u < 0.037 and len(toks) > 3:
            toks = list(toks)
            i = 1 + int(rnd() * (len(toks) - 1))
            toks[i] = "{\\em " + toks[i] + "}"
        text = " ".join(toks)
        if not text.isascii():
            text = _tex(text, tex)
        return "{" + text + "}" if u < 0.03 else text

    def _bib_authors(self, authors: list[tuple[Any, ...]], layout: int, tex: int) -> str:
        rnd = self.random
        u = rnd()
        if layout == _DBLP:
            form = 1
        elif layout == _HAND:
            form = 0 if u < 0.7 else 1 if u < 0.9 else 2
        else:
            form = 0 if u < 0.9 or layout == _BBT else 2
        initials = G_INIT + tex
        parts = []
        for fam, given, middle, jr in authors:
            g = given[initials] if form == 2 else given[tex]
            if middle:
                g = f"{g} {middle}."
            if form == 1 and not jr:
                parts.append(f"{g} {fam[tex]}")
            else:
                parts.append(f"{fam[tex]}, {jr}, {g}" if jr else f"{fam[tex]}, {g}")
        if layout == _DBLP:
            return " and\n                  ".join(parts)
        if layout == _GS and len(parts) > 10 and rnd() < 0.5:
            return " and ".join(parts[:10]) + " and others"
        return " and ".join(parts)

    def bib_record(self) -> _Raw:
        """One BibTeX entry with key / arXiv-id markers, and the bits a query needs."""
        rnd = self.random
        dom = self.domain_pick.pick(rnd())
        u = rnd()
        if u < 0.43:  # DBLP writes arXiv preprints as @article: ~45% articles, ~15% misc
            etype = "article"
        elif u < 0.78:
            etype = "inproceedings"
        elif u < 0.955:
            etype = "misc"
        else:
            etype = ("book", "phdthesis", "techreport")[min(2, int((u - 0.955) * 66.7))]
        year = self.years.pick(rnd())
        venue: _Venue | None = None
        if etype in ("article", "inproceedings"):
            venues = dom.venues_j if etype == "article" else dom.venues_c
            for _ in range(3):
                venue = venues.pick(rnd())
                if venue.found <= year:
                    break
            assert venue is not None
            year = max(year, venue.found)
        elif etype == "misc" and year < 1993:
            year = self.arxiv_years.pick(rnd())
        authors = self._authors(1 if etype == "phdthesis" else self._author_count())
        toks, topic, method = self._title(dom, rnd() < 0.65)
        arxiv = category = ""
        bucket = None
        if etype == "misc" or (
            venue is not None and year >= 1993 and rnd() < _ARXIV_SHARE[dom.name]
        ):
            bucket, category = self._arxiv_for_year(dom, year)
            arxiv = _MARK_ARXIV
        u = rnd()
        if u < 0.6:
            key_style, layout = _GS, (_GS if rnd() < 0.55 else _HAND)
        elif u < 0.85:
            key_style, layout = _BBT, (_BBT if rnd() < 0.7 else _HAND)
        else:
            key_style = layout = _DBLP
        if layout == _DBLP:
            tex = 1
        elif layout == _BBT:
            tex = 0 if rnd() < 0.6 else 3
        else:
            tex = 0 if rnd() < 0.88 else 2
        quoted = layout == _HAND and rnd() < 0.15
        if quoted and tex == 2:
            tex = 0
        use_macro = layout == _HAND and rnd() < 0.03
        first = authors[0][0]
        fd: dict[str, tuple[str, int]] = {}
        fd["title"] = (self._bib_title(toks, layout, tex), _TEXT)
        fd["author"] = (self._bib_authors(authors, layout, tex), _TEXT)
        fd["year"] = (str(year), _NUM)
        if layout in (_HAND, _BBT) and rnd() < 0.4:
            month = int(rnd() * 12)
            v = rnd()
            if v < 0.65:
                fd["month"] = (_MONTHS[month], _RAW)
            elif v < 0.85:
                fd["month"] = (_MONTH_NAMES[month], _TEXT)
            else:
                fd["month"] = (str(month + 1), _NUM)
        out_type = etype
        doi = ""
        url = ""
        volume = 1
        if venue is not None:
            volume = max(1, year - venue.found + 1)
        if etype == "article":
            assert venue is not None
            gs_preprint = arxiv and key_style == _GS and rnd() < 0.2
            if gs_preprint:
                fd["journal"] = (f"arXiv preprint arXiv:{arxiv}", _TEXT)
            else:
                if use_macro and venue.macro:
                    fd["journal"] = (venue.macro, _RAW)
                else:
                    fd["journal"] = (_tex(venue.name, tex), _TEXT)
                fd["volume"] = (str(volume), _NUM)
                if not venue.article_numbers and rnd() < 0.7:
                    fd["number"] = (str(int(rnd() * 12) + 1), _NUM)
                pages = self._pages(venue)
                if rnd() < 0.85:
                    fd["pages"] = (pages, _TEXT)
                if rnd() < 0.4:
                    fd["publisher"] = self._publisher(venue.publisher, tex, use_macro)
                if rnd() < 0.75:
                    doi = self._fill(venue.doi or "10.{d4}/{d6}", year, volume, page=pages)
        elif etype == "inproceedings":
            assert venue is not None
            fd["booktitle"] = self._booktitle(venue, year, layout, tex, use_macro)
            if rnd() < 0.8:
                fd["pages"] = (self._pages(venue), _TEXT)
            if venue.publisher == "PMLR" and rnd() < 0.3:
                fd["series"] = ("Proceedings of Machine Learning Research", _TEXT)
                fd["volume"] = (str(10 + 20 * max(0, year - 2013) + int(rnd() * 20)), _NUM)
            if rnd() < 0.5:
                fd["publisher"] = self._publisher(venue.publisher, tex, use_macro)
            if rnd() < 0.25:
                fd["address"] = (_tex(_ADDRESSES[int(rnd() * len(_ADDRESSES))], tex), _TEXT)
            if rnd() < 0.03:
                fd["editor"] = (self._bib_authors(self._authors(2 + int(rnd() * 3)), layout, tex),
                                _TEXT)  # fmt: skip
            if rnd() < 0.6:
                doi = self._fill(venue.doi or "10.5555/{d7}.{e7}", year, volume)
        elif etype == "misc":
            if key_style == _DBLP:
                out_type = "article"
                fd["journal"] = ("CoRR", _TEXT)
                fd["volume"] = (f"abs/{arxiv}", _TEXT)
            elif key_style == _GS and rnd() < 0.3:
                fd["howpublished"] = (f"arXiv preprint arXiv:{arxiv}", _TEXT)
            if layout == _BBT and rnd() < 0.5:
                fd["publisher"] = ("arXiv", _TEXT)
            if rnd() < 0.4:
                doi = f"10.48550/arXiv.{arxiv}"
        elif etype == "book":
            publisher = self.book_publishers.pick(rnd())
            fd["publisher"] = (publisher, _TEXT)
            if rnd() < 0.6:
                fd["address"] = (_tex(_ADDRESSES[int(rnd() * 8)], tex), _TEXT)
            if rnd() < 0.2:
                fd["edition"] = (("2nd", "Second", "3rd", "2")[int(rnd() * 4)], _TEXT)
            if rnd() < 0.5:
                fd["isbn"] = (self._isbn(), _TEXT)
            if rnd() < 0.2:
                fd["series"] = (_BOOK_SERIES[int(rnd() * len(_BOOK_SERIES))], _TEXT)
                fd["volume"] = (str(int(rnd() * 300) + 1), _NUM)
            if rnd() < 0.5:
                doi = self._fill("10.1007/978-3-{d3}-{d5}-{d1}", year)
        elif etype == "phdthesis":
            fd["school"] = (_tex(_SCHOOLS[int(rnd() * len(_SCHOOLS))], tex), _TEXT)
            if rnd() < 0.1:
                fd["type"] = ("PhD thesis", _TEXT)
            if rnd() < 0.1:
                doi = self._fill("10.{d4}/{d6}", year)
        else:
            fd["institution"] = (_tex(_INSTITUTIONS[int(rnd() * len(_INSTITUTIONS))], tex), _TEXT)
            number = _REPORT_NUMBERS[int(rnd() * len(_REPORT_NUMBERS))]
            fd["number"] = (self._fill(number, year), _TEXT)
            if rnd() < 0.3:
                fd["type"] = ("Technical Report", _TEXT)
            if rnd() < 0.1:
                doi = self._fill("10.{d4}/{d6}", year)
        if arxiv:
            if key_style == _DBLP:
                fd["eprinttype"] = ("arXiv", _TEXT)
                fd["eprint"] = (arxiv, _TEXT)
            elif etype == "misc" or rnd() < 0.7:
                fd["eprint"] = (arxiv, _TEXT)
                if layout == _BBT:
                    fd["archiveprefix"] = ("arXiv", _TEXT)
                    fd["primaryclass"] = (category, _TEXT)
                else:
                    fd["archivePrefix"] = ("arXiv", _TEXT)
                    fd["primaryClass"] = (category, _TEXT)
            elif rnd() < 0.65:
                fd["note"] = (f"arXiv:{arxiv}", _TEXT)
            else:
                url = f"https://arxiv.org/abs/{arxiv}"
        if doi:
            fd["doi"] = (doi, _TEXT)
        if not url and rnd() < (0.7 if etype == "misc" else 0.4):
            if arxiv and rnd() < 0.5:
                url = f"https://arxiv.org/abs/{arxiv}"
            elif venue is not None and venue.url:
                url = self._fill(venue.url, year, volume, first[F_DBLP])
            elif doi:
                url = f"https://doi.org/{doi}"
            elif arxiv:
                url = f"https://arxiv.org/abs/{arxiv}"
        if url:
            fd["url"] = (url, _TEXT)
        abstract = ""
        if rnd() < 0.9:
            abstract = " ".join(self._abstract(dom, topic, method))
            fd["abstract"] = (abstract.replace("%", "\\%") if "%" in abstract else abstract, _TEXT)
        if layout == _BBT:
            if category in _BBT_KEYWORDS and rnd() < 0.5:
                fd["keywords"] = (_BBT_KEYWORDS[category], _TEXT)
            if url and rnd() < 0.3:
                seen = min(_MAX_YEAR, year + 1 + int(rnd() * 3))
                fd["urldate"] = (f"{seen}-0{int(rnd() * 9) + 1}-1{int(rnd() * 9)}", _TEXT)
        # the key's base; the assembler appends a, b, c... on clashes
        kws = [w for w in map(self._kw, toks) if w] or ["paper"]
        if key_style == _GS:
            base = f"{first[F_GS]}{year}{kws[0]}"
        elif key_style == _BBT:
            base = first[F_BBT] + "".join(w.capitalize() for w in kws[:3]) + str(year)
        else:
            base = self._dblp_key(etype, venue, authors, year, fd)
            fd["timestamp"] = (self._dblp_timestamp(year), _TEXT)
            fd["biburl"] = (f"https://dblp.org/rec/{_MARK_DBLP_PATH}.bib", _TEXT)
            fd["bibsource"] = ("dblp computer science bibliography, https://dblp.org", _TEXT)
        text = self._render(out_type, _MARK_KEY, fd, layout, quoted)
        info = None
        if self.want_info:
            info = ((first[F_LOWER], first[F_ASCII], first[F_COMMON]), year, toks, abstract)
        return text, base, bucket, info

    def _pages(self, venue: _Venue) -> str:
        rnd = self.random
        if venue.article_numbers:
            return f"{int(rnd() * 999999) + 1:06d}"
        start = 1 + int(rnd() ** 2 * 3000)
        end = start + 5 + int(rnd() * 25)
        u = rnd()
        if u < 0.08:
            return f"{start}-{end}"
        if u < 0.12:
            return str(start)
        return f"{start}--{end}"

    def _publisher(self, publisher: str, tex: int, use_macro: bool) -> tuple[str, int]:
        if use_macro and publisher in ("IEEE", "Springer", "ACM"):
            return publisher.lower(), _RAW
        return _tex(publisher, tex), _TEXT

    def _booktitle(
        self, venue: _Venue, year: int, layout: int, tex: int, use_macro: bool
    ) -> tuple[str, int]:
        rnd = self.random
        options = venue.booktitles
        if layout == _DBLP:
            template = options[-1]
        elif layout == _GS:
            template = options[0]
        else:
            template = options[int(rnd() * len(options))]
        text = template.format(
            y=year, v=max(1, year - 1987), ord=_ordinal(max(1, year - venue.found + 1))
        )
        if use_macro and text.startswith("Proceedings of the "):
            return f"procof # {{{_tex(text[19:], tex)}}}", _RAW
        return _tex(text, tex), _TEXT

    def _isbn(self) -> str:
        rnd = self.random
        digits = "978" + "".join(str(int(rnd() * 10)) for _ in range(9))
        check = (10 - sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(digits))) % 10
        return f"{digits[:3]}-{digits[3]}-{digits[4:8]}-{digits[8:]}-{check}"

    def _dblp_key(
        self,
        etype: str,
        venue: _Venue | None,
        authors: list[tuple[Any, ...]],
        year: int,
        fd: dict[str, tuple[str, int]],
    ) -> str:
        """'DBLP:conf/nips/VaswaniSPUJGKP17', 'DBLP:journals/corr/abs-1706-03762'."""
        if etype == "misc":
            return "DBLP:journals/corr/abs-" + _MARK_ARXIV_DASHED
        names = authors[0][0][F_DBLP] + "".join(a[0][F_DBLP][:1] for a in authors[1:9])
        yy = f"{year % 100:02d}"
        if venue is not None:
            kind = "journals" if venue.kind == "j" else "conf"
            return f"DBLP:{kind}/{venue.dblp}/{names}{yy}"
        rnd = self.random
        if etype == "book":
            return f"DBLP:books/daglib/{int(rnd() * 9000000) + 1000000}"
        if etype == "phdthesis":
            return f"DBLP:phd/{_DBLP_PHD[int(rnd() * len(_DBLP_PHD))]}/{names}{yy}"
        return f"DBLP:tr/{fd['institution'][0][:3].lower().replace(' ', '')}/{names}{yy}"

    def _dblp_timestamp(self, year: int) -> str:
        rnd = self.random
        start = dt.date(min(year + 1, _MAX_YEAR), 1, 1).toordinal()
        ordinal = min(_LAST_DAY, start + int(rnd() * 700))
        d = dt.date.fromordinal(ordinal)
        seconds = int(rnd() * 86400)
        h, rest = divmod(seconds, 3600)
        return (
            f"{_WEEKDAYS[d.weekday()]}, {d.day:02d} {_MONTH_ABBR[d.month - 1]} {d.year} "
            f"{h:02d}:{rest // 60:02d}:{rest % 60:02d} +0200"
        )

    def _render(
        self, etype: str, key: str, fd: dict[str, tuple[str, int]], layout: int, quoted: bool
    ) -> str:
        rnd = self.random
        name_case = 0
        type_text = etype
        bare = False
        trailing = False
        if layout == _HAND:
            u = rnd()
            name_case = 0 if u < 0.89 else 1 if u < 0.97 else 2
            u = rnd()
            type_text = etype if u < 0.82 else etype.capitalize() if u < 0.97 else etype.upper()
            bare = rnd() < 0.9
            trailing = rnd() < 0.5
        elif layout == _BBT:
            bare = rnd() < 0.5
        open_, close = ('"', '"') if quoted else ("{", "}")
        lines = []
        for name in _ORDERS[layout]:
            item = fd.get(name)
            if item is None:
                continue
            value, kind = item
            if kind == _TEXT or (kind == _NUM and not bare):
                value = open_ + value + close
            if name_case == 1:
                name = name[0].upper() + name[1:]
            elif name_case == 2:
                name = name.upper()
            if layout == _DBLP:
                lines.append(f"  {name:<12} = {value}")
            elif layout == _GS:
                lines.append(f"  {name}={value}")
            else:
                lines.append(f"  {name} = {value}")
        body = ",\n".join(lines)
        return f"\n@{type_text}{{{key},\n{body}{',' if trailing else ''}\n}}\n"

    # -- arXiv JSON lines --

    def jsonl_record(self) -> _Raw:
        """One line of the arXiv OAI metadata snapshot (id left to the assembler)."""
        rnd = self.random
        dom = self.domain_pick.pick(rnd())
        old = rnd() < 0.05
        if old:
            year = self.old_years.pick(rnd())
            month = int(rnd() * (3 if year == 2007 else 12)) + 1
        else:
            year = self.arxiv_years.pick(rnd())
            if year == 2007:
                month = 4 + int(rnd() * 9)
            else:
                month = int(rnd() * (10 if year == _MAX_YEAR else 12)) + 1
        bucket, primary = self._arxiv_bucket(dom, year, month, old)
        categories = [primary]
        u = rnd()
        for _ in range(0 if u < 0.5 else 1 if u < 0.8 else 2 if u < 0.95 else 3):
            extra = dom.categories.pick(rnd())
            if extra not in categories:
                categories.append(extra)
        authors = self._authors(self._author_count())
        toks, topic, method = self._title(dom, rnd() < 0.8)
        tex = 3 if rnd() < 0.5 else 4
        title = " ".join(toks)
        if not title.isascii():
            title = _tex(title, tex)
        if len(title) > 70 and rnd() < 0.6:
            title = _wrap(title, 55 + int(rnd() * 20)).replace("\n", "\n  ")
        full = rnd() < 0.6
        initials = G_INIT + tex
        names: list[str] = []
        parsed: list[list[str]] = []
        for fam, given, middle, jr in authors:
            g = given[tex] if full else given[initials]
            if middle:
                g = f"{g} {middle}."
            f = fam[tex]
            names.append(f"{g} {f} {jr}" if jr else f"{g} {f}")
            parsed.append([f, g, jr.rstrip(".")])
        if len(names) > 1 and rnd() < 0.6:
            author_text = ", ".join(names[:-1]) + " and " + names[-1]
        else:
            author_text = ", ".join(names)
        submitter_author = authors[0] if rnd() < 0.8 else authors[int(rnd() * len(authors))]
        submitter = f"{submitter_author[1][3]} {submitter_author[0][3]}"
        sentences = self._abstract(dom, topic, method)
        plain = " ".join(sentences)
        width = 76 + int(rnd() * 5)
        if len(sentences) >= 4 and rnd() < 0.1:
            half = len(sentences) // 2
            abstract = (
                _wrap("  " + " ".join(sentences[:half]), width)
                + "\n"
                + _wrap("  " + " ".join(sentences[half:]), width)
            )
        else:
            abstract = _wrap("  " + plain, width)
        v1 = dt.date(year, month, 1).toordinal() + int(rnd() * 28)
        versions = [{"version": "v1", "created": _http_date(v1, int(rnd() * 86400))}]
        last = v1
        u = rnd()
        for n in range(2, 2 + (0 if u < 0.55 else 1 if u < 0.8 else 2 if u < 0.93 else 3)):
            last = min(_LAST_DAY, last + 1 + int(rnd() * 200))
            versions.append({"version": f"v{n}", "created": _http_date(last, int(rnd() * 86400))})
        update = min(_LAST_DAY, last + (0 if rnd() < 0.6 else int(rnd() * 900)))
        journal_ref = doi = report = None
        if rnd() < 0.25:
            venue = dom.venues_j.pick(rnd())
            pub_year = min(_MAX_YEAR, year + (0 if rnd() < 0.6 else 1))
            volume = max(1, pub_year - venue.found + 1)
            page = self._pages(venue).split("-")[0]
            u = rnd()
            if u < 0.4:
                journal_ref = f"{venue.short} {volume} ({pub_year}) {page}"
            elif u < 0.7:
                journal_ref = f"{venue.short.replace(' ', '')}{volume}:{page},{pub_year}"
            else:
                journal_ref = f"{venue.short} {volume}, {page} ({pub_year})"
            if venue.doi and rnd() < 0.8:
                doi = self._fill(venue.doi, pub_year, volume, page=page)
        elif rnd() < 0.05:
            doi = self._fill("10.{d4}/{d6}", year)
        if rnd() < (0.1 if dom.name == "physics" else 0.02):
            report = self._fill(_REPORT_NUMBERS[int(rnd() * len(_REPORT_NUMBERS))], year)
        license_ = None
        if not (year < 2009 and rnd() < 0.7) and rnd() >= 0.1:
            license_ = self.licenses.pick(rnd())
        record = {  # "id" comes first in the dump; the assembler puts it in front
            "submitter": submitter,
            "authors": author_text,
            "title": title,
            "comments": self._comments(dom, year),
            "journal-ref": journal_ref,
            "doi": doi,
            "report-no": report,
            "categories": " ".join(categories),
            "license": license_,
            "abstract": abstract + "\n",
            "versions": versions,
            "update_date": dt.date.fromordinal(update).isoformat(),
            "authors_parsed": parsed,
        }
        text = json.dumps(record, ensure_ascii=False, separators=(",", ":"))[1:] + "\n"
        info = None
        if self.want_info:
            first = authors[0][0]
            info = ((first[F_LOWER], first[F_ASCII], first[F_COMMON]), year, toks, plain)
        return text, None, bucket, info

    def _comments(self, dom: _Domain, year: int) -> str | None:
        rnd = self.random
        u = rnd()
        if u < 0.3:
            return None
        pages = 4 + int(rnd() ** 2 * 60)
        figures = int(rnd() * 15)
        if u < 0.65:
            return f"{pages} pages, {figures} figures"
        if u < 0.75:
            venue = dom.venues_c.pick(rnd())
            return f"{pages} pages, {figures} figures; accepted to {venue.short} {year}"
        if u < 0.85:
            return f"{pages} pages"
        if u < 0.92:
            return f"Published in {dom.venues_j.pick(rnd()).short}"
        if u < 0.96:
            return "v2: minor revisions, references added"
        return f"{pages} pages, {figures} figures, {1 + int(rnd() * 6)} tables"


def _bib_header(pools: _Pools) -> str:
    """@string macros at the top of the file, as hand-maintained bibliographies have."""
    lines: list[str] = []
    seen: dict[str, None] = {}
    for dom in pools.domains.values():
        for venue in dom.venues_j.items:
            if venue.macro and venue.macro not in seen:
                seen[venue.macro] = None
                lines.append(f"@string{{{venue.macro} = {{{_tex(venue.name, 0)}}}}}\n")
    for macro, value in _STRING_MACROS:
        lines.append(f'@string{{{macro} = "{value}"}}\n')
    return "".join(lines)


class _Assembler:
    """Makes keys and arXiv ids unique, in file order, and fills them into the records."""

    def __init__(self, fmt: str, seed: int) -> None:
        self.fmt = fmt
        self.keys = _KeySet()
        self.next_suffix: dict[str, int] = {}
        self.arxiv_next: dict[tuple[str, int, int], int] = {}
        self.random = random.Random(f"paper-ls-ids/{seed}").random

    def unique_key(self, base: str) -> str:
        """Append a, b, c... on a clash, as Google Scholar / BBT users end up doing."""
        i = self.next_suffix.get(base)
        if i is None:
            if self.keys.add(base):
                return base
            i = 0
        while True:
            key = base + _suffix(i)
            i += 1
            if self.keys.add(key):
                self.next_suffix[base] = i
                return key

    def arxiv_id(self, bucket: tuple[str, int, int]) -> str:
        """Numbers rise through each month from a random start, with small gaps.

        A month that runs out of numbers (only for corpora of millions) spills into the next.
        """
        archive, year, month = bucket
        cap, start = (999, 100) if archive else (9999, 2000) if year < 2015 else (99999, 8000)
        while True:
            key = (archive, year, month)
            number = self.arxiv_next.get(key)
            if number is None:
                number = 1 + int(self.random() * start)
            number += self.random() < 0.3
            if number <= cap:
                break
            year, month = (year, month + 1) if month < 12 else (year + 1, 1)
        self.arxiv_next[key] = number + 1
        if archive:
            return f"{archive}/{year % 100:02d}{month:02d}{number:03d}"
        return f"{year % 100:02d}{month:02d}.{number:0{4 if year < 2015 else 5}d}"

    def finish(self, raw: _Raw) -> tuple[str, str]:
        """The record's final text and its target (citation key or arXiv id)."""
        text, base, bucket, _ = raw
        ident = self.arxiv_id(bucket) if bucket is not None else ""
        if self.fmt == "jsonl":
            return '{"id":"' + ident + '",' + text, ident
        if ident:
            text = text.replace(_MARK_ARXIV, ident)
        if base is not None and _MARK_ARXIV_DASHED in base:
            base = base.replace(_MARK_ARXIV_DASHED, ident.replace(".", "-").replace("/", "-"))
        key = self.unique_key(base or "paper")
        text = text.replace(_MARK_KEY, key)
        if key.startswith("DBLP:"):
            text = text.replace(_MARK_DBLP_PATH, key[5:])
        return text, key


# --- queries ---------------------------------------------------------------------------------


class _Sampler:
    """Reservoir samples of generated records, kept small, for deriving queries at the end.

    It draws from its own random stream so that asking for queries never changes the corpus.
    """

    def __init__(self, size: int, seed: int) -> None:
        self.size = size
        self.rng = random.Random(seed * 7919 + 17)
        self.all: list[tuple[Any, ...]] = []
        self.common: list[tuple[Any, ...]] = []
        self.seen = 0
        self.seen_common = 0

    def offer(self, info: tuple[Any, ...]) -> None:
        self.seen += 1
        self._offer(self.all, self.seen, info)
        if info[1][2]:
            self.seen_common += 1
            self._offer(self.common, self.seen_common, info)

    def _offer(self, sample: list[tuple[Any, ...]], seen: int, info: tuple[Any, ...]) -> None:
        if len(sample) < self.size:
            sample.append(info)
        else:
            j = int(self.rng.random() * seen)
            if j < self.size:
                sample[j] = info

    def queries(self, count: int) -> list[dict[str, str]]:
        rng = self.rng
        kinds = [QUERY_KINDS[i % len(QUERY_KINDS)] for i in range(count)]
        rng.shuffle(kinds)
        out: list[dict[str, str]] = []
        for i, kind in enumerate(kinds):
            # A corpus too small to have a Wang first author asks for its own commonest name.
            pool = (self.common or self._commonest()) if kind == "common-name" else self.all
            for attempt in range(len(pool)):
                info = pool[(i + attempt) % len(pool)]
                query = _make_query(kind, info, rng)
                if query:
                    out.append({"query": query, "kind": kind, "target": info[0]})
                    break
        return out

    def _commonest(self) -> list[tuple[Any, ...]]:
        counts: dict[str, int] = {}
        for info in self.all:
            counts[info[1][0]] = counts.get(info[1][0], 0) + 1
        if not counts:
            return []
        name = max(counts, key=lambda n: (counts[n], n))
        return [(key, (fam[0], fam[1], True), *rest) for key, fam, *rest in self.all
                if fam[0] == name]  # fmt: skip


def _title_words(toks: Iterable[str]) -> list[str]:
    words = []
    for tok in toks:
        word = tok.rstrip(":?").lower()
        if word.isalpha() and word not in _STOPWORDS and len(word) > 2:
            words.append(word)
    return words


def _family_query(fam: tuple[str, str, bool], rng: random.Random) -> str:
    """How people type a name: lowercase, accents dropped by about a third of them."""
    lower, folded, _ = fam
    return folded if lower != folded and rng.random() < 0.35 else lower


def _typo(word: str, rng: random.Random) -> str:
    i = rng.randint(1, len(word) - 2)
    op = rng.random()
    if op < 0.4:
        letters = [c for c in "abcdefghijklmnopqrstuvwxyz" if c != word[i]]
        return word[:i] + rng.choice(letters) + word[i + 1 :]
    if op < 0.7 or word[i] == word[i + 1]:
        return word[:i] + word[i + 1 :]
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def _abstract_phrase(abstract: str, rng: random.Random) -> str:
    """3-4 consecutive words, preferring long content words (what people remember)."""
    raw = abstract.split()
    words = [w.strip(".,;:()") for w in raw]
    best, best_score = "", -1
    for _ in range(16):
        n = rng.choice((3, 4))
        if len(words) <= n:
            break
        start = rng.randrange(len(words) - n)
        window = words[start : start + n]
        if any(not w or not w.replace("-", "").isalpha() for w in window):
            continue
        if any(w[-1] in ".,;:)" for w in raw[start : start + n - 1]):
            continue  # people remember phrases, not the seam between two clauses
        if window[0].lower() in _STOPWORDS or window[-1].lower() in _STOPWORDS:
            continue
        score = sum(len(w) for w in window if w.lower() not in _STOPWORDS)
        if score > best_score:
            best, best_score = " ".join(window).lower(), score
    return best


def _make_query(kind: str, info: tuple[Any, ...], rng: random.Random) -> str:
    key, fam, year, toks, abstract = info
    words = _title_words(toks)
    if kind == "key-prefix":
        return str(key[: min(len(key) - 1, rng.randint(3, 8))])
    if kind == "short-prefix":
        return str(key[: rng.randint(1, 2)])
    if kind == "common-name":
        return str(fam[0]) if fam[2] else ""
    if kind == "author-year":
        return f"{_family_query(fam, rng)} {year}"
    if kind == "author-title":
        return f"{_family_query(fam, rng)} {rng.choice(words)}" if words else ""
    if kind == "title-words":
        distinct = list(dict.fromkeys(words))
        if len(distinct) < 2:
            return ""
        chosen = rng.sample(distinct, min(len(distinct), rng.choice((2, 3))))
        if [w for w in distinct if w in chosen] == chosen:
            chosen.reverse()  # out of order, as people remember them
        return " ".join(chosen)
    if kind == "typo":
        long_words = [w for w in words if len(w) >= 5]
        if not long_words:
            return ""
        return f"{_family_query(fam, rng)} {_typo(rng.choice(long_words), rng)}"
    if kind == "abstract-phrase":
        return _abstract_phrase(abstract, rng) if abstract else ""
    raise ValueError(f"unknown query kind {kind!r}")


# --- public API ------------------------------------------------------------------------------


_WORKER: _Composer | None = None


def _worker_init(fmt: str, want_info: bool) -> None:
    global _WORKER
    gc.disable()  # records make no reference cycles; collections would only cost time
    _WORKER = _Composer(fmt, want_info)


def _worker_chunk(seed: int, index: int, size: int) -> list[_Raw]:
    assert _WORKER is not None
    return _WORKER.chunk(seed, index, size)


def _composed_chunks(
    fmt: str, count: int, seed: int, want_info: bool, workers: int
) -> Iterator[list[_Raw]]:
    """Chunks of composed records in file order, from this process or from a few workers."""
    sizes = [(i, min(_CHUNK, count - i * _CHUNK)) for i in range(-(-count // _CHUNK))]
    if workers <= 1 or len(sizes) <= 2:
        composer = _Composer(fmt, want_info)
        for index, size in sizes:
            yield composer.chunk(seed, index, size)
        return
    methods = multiprocessing.get_all_start_methods()
    # fork shares the pools already built here; elsewhere each worker builds its own.
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_worker_init, initargs=(fmt, want_info)
    ) as pool:
        todo = iter(sizes)
        pending: deque[Future[list[_Raw]]] = deque(
            pool.submit(_worker_chunk, seed, index, size)
            for index, size in itertools.islice(todo, 2 * workers)
        )
        while pending:
            chunk = pending.popleft().result()
            following = next(todo, None)
            if following is not None:
                pending.append(pool.submit(_worker_chunk, seed, *following))
            yield chunk


def default_workers(count: int) -> int:
    """Two processes for big corpora (about twice as fast on two cores), one for small."""
    return min(2, os.cpu_count() or 1) if count >= 50_000 else 1


def generate(
    fmt: str, count: int, seed: int = 1, out_stream: IO[Any] | None = None, *,
    query_count: int = 0, workers: int | None = None,
) -> GenerateResult:  # fmt: skip
    """Stream `count` records in `fmt` ('bib' or 'jsonl') to `out_stream`.

    `out_stream` may be binary (UTF-8 is written) or text; None discards the output, which
    is how a benchmark can time generation alone. With `query_count`, the result carries that
    many queries derived from a reservoir sample of the records. The bytes depend on `fmt`,
    `count` and `seed` only, never on `workers` or on whether queries are asked for.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    started = time.perf_counter()
    pools = _pools()
    assembler = _Assembler(fmt, seed)
    sampler = _Sampler(query_count, seed) if query_count > 0 else None
    binary = out_stream is not None and not isinstance(out_stream, io.TextIOBase)
    written = 0

    def emit(chunk: str) -> None:
        nonlocal written
        data = chunk.encode("utf-8")
        written += len(data)
        if out_stream is not None:
            out_stream.write(data if binary else chunk)

    if fmt == "bib":
        emit(_bib_header(pools))
    if workers is None:
        workers = default_workers(count)
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for raws in _composed_chunks(fmt, count, seed, sampler is not None, workers):
            texts = []
            for raw in raws:
                text, target = assembler.finish(raw)
                texts.append(text)
                if sampler is not None and raw[3] is not None:
                    sampler.offer((target, *raw[3]))
            emit("".join(texts))
    finally:
        if gc_was_enabled:
            gc.enable()
    queries = sampler.queries(query_count) if sampler is not None else []
    return GenerateResult(count, written, time.perf_counter() - started, queries)


def write_queries(queries: Sequence[dict[str, str]], path: str) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(list(queries), handle, ensure_ascii=False, indent=1)
        handle.write("\n")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Write a deterministic synthetic corpus of papers for benchmarks."
    )
    parser.add_argument("--format", choices=FORMATS, required=True, dest="fmt")
    parser.add_argument("--count", type=int, required=True, help="number of records")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", required=True, help="output file ('-' for stdout)")
    parser.add_argument("--queries", help="also write a JSON list of search queries here")
    parser.add_argument("--query-count", type=int, default=300)
    parser.add_argument(
        "--workers", type=int, help="processes composing records (default: 2 for >= 50,000)"
    )
    args = parser.parse_args(argv)
    if args.count < 0:
        parser.error("--count must be >= 0")
    query_count = args.query_count if args.queries else 0
    if args.out == "-":
        result = generate(args.fmt, args.count, args.seed, sys.stdout.buffer,
                          query_count=query_count, workers=args.workers)  # fmt: skip
        sys.stdout.buffer.flush()
    else:
        with open(args.out, "wb") as handle:
            result = generate(args.fmt, args.count, args.seed, handle,
                              query_count=query_count, workers=args.workers)  # fmt: skip
    if args.queries:
        write_queries(result.queries, args.queries)
    print(
        f"wrote {result.records} records, {result.bytes} bytes in {result.seconds:.1f} s"
        + (f"; {len(result.queries)} queries to {args.queries}" if args.queries else ""),
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

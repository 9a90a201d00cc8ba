"""The link finders, in the order they run (later ones read what earlier ones annotated)."""

from __future__ import annotations

from scan.links.instance_vnics import FindLinksForInstanceVnics
from scan.links.networks import FindLinksForNetworks
from scan.links.oteps import FindLinksForOteps
from scan.links.pnics import FindLinksForPnics
from scan.links.provider_bridges import FindLinksForProviderBridges
from scan.links.vconnectors import FindLinksForVconnectors
from scan.links.vedges import FindLinksForVedges
from scan.links.vservice_vnics import FindLinksForVserviceVnics

LINK_FINDERS = (
    FindLinksForInstanceVnics,
    FindLinksForOteps,
    FindLinksForVconnectors,
    FindLinksForVedges,
    FindLinksForVserviceVnics,
    FindLinksForProviderBridges,
    FindLinksForNetworks,
    FindLinksForPnics,
)

"""The simulated Cisco APIC (vim-contract §5): a leaf/spine fabric whose host ports see the hosts' pNIC MACs."""

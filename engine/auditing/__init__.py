"""(contract written below)"""
